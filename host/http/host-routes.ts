import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

/** One row of GET /api/v1/status/plugins. */
export interface PluginStatus {
  id: string;
  type: string;
  kind: string;
  generation: number;
  hash: string;
  state: string;
  lastError: string | null;
}

export interface HostEndpoints {
  registry: Registry;
  ready(): boolean;
  lifecycleEnabled: boolean;
  reload(): Promise<{ ok: boolean; error?: string }>;
  status(): PluginStatus[];
}

/** The host's own endpoints: self-metrics, health, readiness, reload and plugin status. */
export function registerHostRoutes(app: FastifyInstance, host: HostEndpoints): void {
  app.get('/metrics', async (_req, reply) => {
    reply.type(host.registry.contentType).send(await host.registry.metrics());
  });
  app.get('/-/healthy', async (_req, reply) => reply.type('text/plain').send('Sluice is Healthy.\n'));
  app.get('/-/ready', async (_req, reply) => {
    if (host.ready()) return reply.type('text/plain').send('Sluice is Ready.\n');
    return reply.code(503).type('text/plain').send('Service Unavailable: pipelines are not running yet.\n');
  });
  const reload = async (_req: unknown, reply: import('fastify').FastifyReply) => {
    if (!host.lifecycleEnabled) return reply.code(403).type('text/plain').send('Lifecycle API is not enabled (start with --web.enable-lifecycle).\n');
    const r = await host.reload();
    if (r.ok) return reply.type('text/plain').send('reloaded\n');
    return reply.code(500).type('text/plain').send(`failed to reload config: ${r.error}\n`);
  };
  app.post('/-/reload', reload);
  app.put('/-/reload', reload);
  app.get('/api/v1/status/plugins', async () => ({ status: 'success', data: host.status() }));
}
