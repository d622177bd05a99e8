import type { FastifyInstance } from 'fastify';
import type { DynamicRouter } from '../../host/http/dynamic-router.js';
import { createHttpServer } from '../../host/http/server.js';

/** An HTTP server on 127.0.0.1 and a free port, serving the plugin routes of `router`. */
export async function startTestServer(router: DynamicRouter, maxBodyBytes = 64 << 20): Promise<{ app: FastifyInstance; url: string; close(): Promise<void> }> {
  const { app } = createHttpServer({ maxBodyBytes, router });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, url, close: () => app.close() };
}
