import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Host } from '../../host/host.js';
import type { ManualSource } from '../kit/plugins/manual-source.js';
import { recorded } from '../kit/plugins/recording-sink.js';
import { createHost } from '../kit/test-host.js';

const COUNTER = `export default {
  kind: 'processor', type: 'counter', api: 1, stability: 'development', description: 'counts', config: {},
  create(ctx, config, next) { let n = 0; return { async consume(b) { n += b.length; await next.consume(b); }, snapshot: () => ({ n }) }; },
};`;

const batch = (n: number) => ({ tenant: { accountId: 0, projectId: 0 }, length: n, refs: new Uint32Array(n), ts: new Float64Array(n), values: new Float64Array(n) });
const rows = (id: string) => (recorded.get(id) ?? []).reduce((n, b) => n + b.length, 0);
const source = (host: Host, id: string) => host.graph!.slots.get(id)!.component as ManualSource;

describe('reloading a changed pipeline wiring', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    recorded.clear();
  });

  it('adds and removes processors, sinks and pipelines while running, keeping untouched components', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-rewire-'));
    writeFileSync(join(dir, 'counter.mjs'), COUNTER);
    const file = join(dir, 'sluice.yml');
    const write = (text: string) => writeFileSync(file, `storage: { path: ${dir}/data }\n${text}`);
    write(`
sources: { manual/in: {} }
sinks: { recording/a: {} }
pipelines: { p: { sources: [manual/in], sinks: [recording/a] } }
`);
    const t = await createHost({ config: {}, configFile: file, pluginsDir: dir, watchPlugins: false });
    await t.host.start();
    cleanup = async () => {
      await t.host.stop();
      t.cleanup();
      rmSync(dir, { recursive: true, force: true });
    };
    const host = t.host;
    await source(host, 'manual/in').push(batch(1));

    write(`
sources: { manual/in: {}, manual/other: {} }
processors: { counter/c: {} }
sinks: { recording/a: {}, recording/b: {} }
pipelines:
  p: { sources: [manual/in], processors: [counter/c], sinks: [recording/a, recording/b] }
  q: { sources: [manual/other], sinks: [recording/b] }
`);
    expect(await host.reload()).toEqual({ ok: true });
    await source(host, 'manual/in').push(batch(2));
    await source(host, 'manual/other').push(batch(4));
    expect(rows('recording/a')).toBe(1 + 2);
    expect(rows('recording/b')).toBe(2 + 4);
    expect(await host.graph!.slots.get('counter/c')!.component!.snapshot!()).toEqual({ n: 2 });
    const status = Object.fromEntries(host.status().map((r) => [r.id, r]));
    expect(status['manual/in']!.generation).toBe(1);
    expect(status['recording/a']!.generation).toBe(1);

    write(`
sources: { manual/in: {} }
sinks: { recording/b: {} }
pipelines: { p: { sources: [manual/in], sinks: [recording/b] } }
`);
    expect(await host.reload()).toEqual({ ok: true });
    await source(host, 'manual/in').push(batch(8));
    expect(rows('recording/b')).toBe(6 + 8);
    expect(rows('recording/a')).toBe(3);
    expect(host.status().map((r) => r.id).filter((id) => !id.startsWith('plugin:')).sort()).toEqual(['manual/in', 'recording/b']);
    expect([...host.graph!.pipelines.keys()]).toEqual(['p']);
  });
});
