import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatSeries } from '../../host/series/labels.js';
import type { ManualSource } from '../kit/plugins/manual-source.js';
import { recorded } from '../kit/plugins/recording-sink.js';
import { createHost } from '../kit/test-host.js';

/** A drop-in processor that reads labels and creates series: it adds env="prod" to every series. */
const ADD_ENV = `export default {
  kind: 'processor', type: 'add_env', api: 1, stability: 'development', description: 'adds env',
  config: {},
  create(ctx, config, next) {
    const cache = new Map();
    return {
      async consume(batch) {
        const refs = new Uint32Array(batch.length);
        for (let i = 0; i < batch.length; i++) {
          const ref = batch.refs[i];
          let out = cache.get(ref);
          if (out === undefined) {
            const labels = [...ctx.series.labels(ref), { name: 'env', value: 'prod' }].sort((a, b) => (a.name < b.name ? -1 : 1));
            out = ctx.series.resolve(ctx.series.tenant(ref), labels);
            cache.set(ref, out);
          }
          refs[i] = out;
        }
        await next.consume({ ...batch, refs });
      },
    };
  },
};`;

describe('ctx.series in a drop-in plugin', () => {
  it('sees the labels of the series it is sent and creates series in the host index', async () => {
    const pluginsDir = mkdtempSync(join(tmpdir(), 'sluice-dropin-series-'));
    writeFileSync(join(pluginsDir, 'add-env.mjs'), ADD_ENV);
    const { host, cleanup } = await createHost({
      pluginsDir,
      watchPlugins: false,
      config: {
        sources: { 'manual/in': {} },
        processors: { 'add_env/x': {} },
        sinks: { 'recording/out': {} },
        pipelines: { p: { sources: ['manual/in'], processors: ['add_env/x'], sinks: ['recording/out'] } },
      },
    });
    try {
      await host.start();
      const tenant = { accountId: 7, projectId: 2 };
      const refs = ['a', 'b'].map((job) => host.series!.resolve(tenant, [{ name: '__name__', value: 'up' }, { name: 'job', value: job }]));
      const source = host.graph!.slots.get('manual/in')!.component as ManualSource;
      for (let round = 0; round < 2; round++) {
        await source.push({ tenant, length: 2, refs: Uint32Array.from(refs), ts: Float64Array.of(1, 1), values: Float64Array.of(1, 0) });
      }
      const out = recorded.get('recording/out')!.flatMap((b) => Array.from(b.refs));
      expect(out.map((r) => formatSeries(host.series!.labels(r)))).toEqual(['up{env="prod",job="a"}', 'up{env="prod",job="b"}', 'up{env="prod",job="a"}', 'up{env="prod",job="b"}']);
      expect(out.map((r) => host.series!.tenant(r))).toEqual([tenant, tenant, tenant, tenant]);
    } finally {
      await host.stop();
      cleanup();
      recorded.clear();
      rmSync(pluginsDir, { recursive: true, force: true });
    }
  });
});
