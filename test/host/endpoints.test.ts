import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { registerHostRoutes } from '../../host/http/host-routes.js';
import { createRegistry } from '../../host/telemetry/registry.js';
import type { ManualSource } from '../kit/plugins/manual-source.js';
import { recorded } from '../kit/plugins/recording-sink.js';
import { createHost } from '../kit/test-host.js';

const pipeline = (tag: string, dir: string) => `
storage: { path: ${dir}/data }
sources: { manual/in: {} }
processors: { counter/c: { tag: ${tag} } }
sinks: { recording/out: {} }
pipelines: { p: { sources: [manual/in], processors: [counter/c], sinks: [recording/out] } }
`;

const COUNTER = `export default {
  kind: 'processor', type: 'counter', api: 1, stability: 'development', description: 'counts',
  config: { tag: { type: 'string', description: 'free text', default: 'x' } },
  create(ctx, config, next) {
    let count = 0;
    return {
      async consume(b) { count += b.length; await next.consume(b); },
      snapshot() { return { count, tag: config.tag }; },
      restore(s) { count = s.count; },
    };
  },
};`;

const batch = (n: number) => ({ tenant: { accountId: 0, projectId: 0 }, length: n, refs: new Uint32Array(n), ts: new Float64Array(n), values: new Float64Array(n) });

describe('host endpoints', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
    recorded.clear();
  });

  async function startHost(enableLifecycle: boolean) {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-endpoints-'));
    const configFile = join(dir, 'sluice.yml');
    writeFileSync(configFile, pipeline('first', dir));
    writeFileSync(join(dir, 'counter.mjs'), COUNTER);
    const t = await createHost({ config: {}, configFile, pluginsDir: dir, listenAddress: '127.0.0.1:0', enableLifecycle, watchPlugins: false });
    await t.host.start();
    cleanup = async () => {
      await t.host.stop();
      t.cleanup();
      rmSync(dir, { recursive: true, force: true });
    };
    return { host: t.host, url: t.host.url!, configFile, dir, source: t.host.graph!.slots.get('manual/in')!.component as ManualSource };
  }

  it('serves health, readiness, plugin status and self-metrics', async () => {
    const { url, source } = await startHost(false);
    await source.push(batch(7));
    expect((await fetch(`${url}/-/healthy`)).status).toBe(200);
    expect((await fetch(`${url}/-/ready`)).status).toBe(200);
    const status = (await (await fetch(`${url}/api/v1/status/plugins`)).json()) as { status: string; data: Record<string, unknown>[] };
    expect(status.status).toBe('success');
    expect(status.data.find((r) => r.id === 'counter/c')).toMatchObject({ type: 'counter', kind: 'processor', generation: 1, state: 'running', lastError: null });
    expect(status.data.find((r) => r.id === 'plugin:counter')).toMatchObject({ state: 'loaded', generation: 1 });
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('sluice_component_samples_total{component="counter/c",direction="in"} 7');
    expect(metrics).toContain('sluice_component_samples_total{component="recording/out",direction="in"} 7');
    expect(metrics).toContain('sluice_plugin_generation{component="counter/c"} 1');
    expect(metrics).toMatch(/sluice_edge_fill_ratio\{pipeline="p"\} 0/);
  });

  it('refuses /-/reload with 403 unless the lifecycle API is enabled', async () => {
    const { url } = await startHost(false);
    const res = await fetch(`${url}/-/reload`, { method: 'POST' });
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/--web.enable-lifecycle/);
  });

  it('a reload with a changed component config swaps it and keeps its state; a broken config changes nothing', async () => {
    const { host, url, configFile, dir, source } = await startHost(true);
    await source.push(batch(4));
    writeFileSync(configFile, pipeline('second', dir));
    expect((await fetch(`${url}/-/reload`, { method: 'POST' })).status).toBe(200);
    const snap = await host.graph!.slots.get('counter/c')!.component!.snapshot!();
    expect(snap).toEqual({ count: 4, tag: 'second' });
    expect(host.status().find((r) => r.id === 'counter/c')!.generation).toBe(2);

    writeFileSync(configFile, pipeline('third', dir).replace('tag: third', 'tag: third, nope: 1'));
    const res = await fetch(`${url}/-/reload`, { method: 'POST' });
    expect(res.status).toBe(500);
    expect(await res.text()).toMatch(/processors\.counter\/c: unknown key "nope"|processors\.counter\/c.*nope/);
    expect(host.status().find((r) => r.id === 'counter/c')!.generation).toBe(2);
    expect(await (await fetch(`${url}/metrics`)).text()).toContain('sluice_config_last_reload_successful 0');
  });

  it('answers /-/ready with 503 until the pipelines run', async () => {
    const app = Fastify();
    let ready = false;
    registerHostRoutes(app, { registry: createRegistry(), ready: () => ready, lifecycleEnabled: false, reload: async () => ({ ok: true }), status: () => [] });
    expect((await app.inject({ url: '/-/ready' })).statusCode).toBe(503);
    ready = true;
    expect((await app.inject({ url: '/-/ready' })).statusCode).toBe(200);
  });
});
