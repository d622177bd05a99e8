import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SampleBatch } from '../../host/batch/sample-batch.js';
import type { Host } from '../../host/host.js';
import type { ManualSource } from '../kit/plugins/manual-source.js';
import { recorded } from '../kit/plugins/recording-sink.js';
import { createHost } from '../kit/test-host.js';

/** A drop-in processor that counts the samples it forwards; `version` makes each file distinct. */
function counterPlugin(version: number, extra = ''): string {
  return `
export default {
  kind: 'processor', type: 'counter', api: 1, stability: 'development',
  description: 'Counts samples (version ${version})',
  config: { tag: { type: 'string', description: 'free text', default: 'x' } ${extra} },
  create(ctx, config, next) {
    let count = 0;
    return {
      async consume(batch) { count += batch.length; await next.consume(batch); },
      snapshot() { return { count, version: ${version} }; },
      restore(state) { count = state.count; },
    };
  },
};
`;
}

/** Writes atomically, as a deploy tool would: a reader never sees half a file. */
function install(dir: string, name: string, text: string): void {
  const tmp = join(dir, `.${name}.tmp`);
  writeFileSync(tmp, text);
  renameSync(tmp, join(dir, name));
}

const config = {
  sources: { 'manual/in': {} },
  processors: { 'counter/c': {} },
  sinks: { 'recording/out': {} },
  pipelines: { p: { sources: ['manual/in'], processors: ['counter/c'], sinks: ['recording/out'] } },
};

function batchOf(seq: number, series: number): SampleBatch {
  const refs = new Uint32Array(series).map((_, i) => i);
  return { tenant: { accountId: 0, projectId: 0 }, length: series, refs, ts: new Float64Array(series).fill(seq), values: new Float64Array(series).fill(seq) };
}

async function counterState(host: Host): Promise<{ count: number; version: number }> {
  return (await host.graph!.slots.get('counter/c')!.component!.snapshot!()) as { count: number; version: number };
}

describe('drop-in hot swap', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
    recorded.clear();
  });

  async function started() {
    const pluginsDir = mkdtempSync(join(tmpdir(), 'sluice-plugins-'));
    install(pluginsDir, 'counter.mjs', counterPlugin(1));
    const made = await createHost({ config, pluginsDir, watchPlugins: false });
    await made.host.start();
    cleanup = async () => {
      await made.host.stop();
      made.cleanup();
      rmSync(pluginsDir, { recursive: true, force: true });
    };
    const source = made.host.graph!.slots.get('manual/in')!.component as ManualSource;
    return { host: made.host, pluginsDir, source };
  }

  // Each generation starts a worker; from TypeScript sources that costs a few hundred ms.
  it('replacing a processor 50 times under a steady stream loses, duplicates and reorders nothing and keeps its count', { timeout: 180_000 }, async () => {
    const { host, pluginsDir, source } = await started();
    const series = 20;
    let seq = 0;
    let producing = true;
    const producer = (async () => {
      while (producing) await source.push(batchOf(++seq, series));
    })();

    for (let v = 2; v <= 51; v++) {
      install(pluginsDir, 'counter.mjs', counterPlugin(v));
      await host.syncPlugins();
    }
    producing = false;
    await producer;
    await host.graph!.pipelines.get('p')!.edge.drain();

    const row = host.status().find((s) => s.id === 'counter/c')!;
    expect(row.generation).toBe(51);
    expect(row.lastError).toBeNull();
    const state = await counterState(host);
    expect(state.version).toBe(51);
    expect(state.count).toBe(seq * series);

    // Every sample exactly once, in order per series.
    const perSeries = new Map<number, number[]>();
    for (const b of recorded.get('recording/out')!) for (let i = 0; i < b.length; i++) (perSeries.get(b.refs[i]!) ?? perSeries.set(b.refs[i]!, []).get(b.refs[i]!)!).push(b.ts[i]!);
    expect(perSeries.size).toBe(series);
    const expected = Array.from({ length: seq }, (_, i) => i + 1);
    for (const ts of perSeries.values()) expect(ts).toEqual(expected);
  });

  it('a broken plugin file is refused with a clear message while the old generation keeps serving', async () => {
    const { host, pluginsDir, source } = await started();
    await source.push(batchOf(1, 5));

    const attempts: [string, RegExp][] = [
      ['export default { kind: "processor", type: "counter", api: 1, create( {', /cannot import .*counter\.mjs: .*(Unexpected|SyntaxError|expected)/i],
      [counterPlugin(9).replace('api: 1', 'api: 2'), /manifest\.api is 2, expected 1/],
      [counterPlugin(9, ", required_field: { type: 'string', description: 'now needed', required: true }"), /processors\.counter\/c\.required_field/],
    ];
    for (const [text, message] of attempts) {
      install(pluginsDir, 'counter.mjs', text);
      await host.syncPlugins();
      const plugin = host.status().find((s) => s.id === 'plugin:counter')!;
      expect(plugin.state).toBe('failed');
      expect(plugin.lastError).toMatch(message);
      const component = host.status().find((s) => s.id === 'counter/c')!;
      expect(component.generation).toBe(1);
      expect(component.lastError).toMatch(message);
      await source.push(batchOf(2, 5)); // still served by generation 1
    }
    const metrics = await host.registry.getSingleMetricAsString('sluice_plugin_load_errors_total');
    expect(metrics).toContain('sluice_plugin_load_errors_total{plugin="counter"} 3');

    install(pluginsDir, 'counter.mjs', counterPlugin(10));
    await host.syncPlugins();
    const component = host.status().find((s) => s.id === 'counter/c')!;
    expect(component.generation).toBe(2);
    expect(component.lastError).toBeNull();
    expect(await counterState(host)).toEqual({ count: 5 * 4, version: 10 });
  });

  it('removing a processor plugin turns it into a pass-through that loses nothing', async () => {
    const { host, pluginsDir, source } = await started();
    await source.push(batchOf(1, 3));
    rmSync(join(pluginsDir, 'counter.mjs'));
    await host.syncPlugins();
    await source.push(batchOf(2, 3));
    await host.graph!.pipelines.get('p')!.edge.drain();
    const rows = recorded.get('recording/out')!.reduce((n, b) => n + b.length, 0);
    expect(rows).toBe(6);
    expect(host.status().find((s) => s.id === 'counter/c')!.lastError).toMatch(/removed; the processor passes batches through/);
  });
});
