import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Host } from '../../host/host.js';
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

/** A drop-in processor that tags every exemplar with the job of the series it belongs to. */
const TAG_EXEMPLARS = `export default {
  kind: 'processor', type: 'tag_exemplars', api: 1, stability: 'development', description: 'tags exemplars',
  config: {},
  create(ctx, config, next) {
    return {
      async consume(batch) {
        const job = (ref) => ctx.series.labels(ref).find((l) => l.name === 'job').value;
        const exemplars = batch.side.exemplars.map((e) => ({ ...e, labels: [...e.labels, ['seen_job', job(e.ref)]] }));
        await next.consume({ ...batch, side: { ...batch.side, exemplars } });
      },
    };
  },
};`;

/** Runs `body` with a host whose one pipeline is manual/in -> the drop-in processor `type` -> recording/out. */
async function withDropIn(file: string, source: string, type: string, body: (host: Host, input: ManualSource) => Promise<void>): Promise<void> {
  const pluginsDir = mkdtempSync(join(tmpdir(), 'sluice-dropin-series-'));
  writeFileSync(join(pluginsDir, file), source);
  const { host, cleanup } = await createHost({
    pluginsDir,
    watchPlugins: false,
    config: {
      sources: { 'manual/in': {} },
      processors: { [`${type}/x`]: {} },
      sinks: { 'recording/out': {} },
      pipelines: { p: { sources: ['manual/in'], processors: [`${type}/x`], sinks: ['recording/out'] } },
    },
  });
  try {
    await host.start();
    await body(host, host.graph!.slots.get('manual/in')!.component as ManualSource);
  } finally {
    await host.stop();
    cleanup();
    recorded.clear();
    rmSync(pluginsDir, { recursive: true, force: true });
  }
}

describe('ctx.series in a drop-in plugin', () => {
  it('gets and gives back histograms, exemplars and metadata, and knows the series that only they name', async () => {
    await withDropIn('tag-exemplars.mjs', TAG_EXEMPLARS, 'tag_exemplars', async (host, source) => {
      const tenant = { accountId: 0, projectId: 0 };
      const [a, h] = ['a', 'h'].map((job) => host.series!.resolve(tenant, [{ name: '__name__', value: 'up' }, { name: 'job', value: job }])) as [number, number];
      const side = {
        exemplars: [{ ref: h, labels: [['trace_id', 't1']] as [string, string][], value: 1, ts: 5 }],
        histograms: [{ ref: h, ts: 5, histogram: { countInt: 2, sum: 3, schema: 0 } }],
        metadata: [{ metricFamilyName: 'up', type: 'gauge', help: 'h', unit: '' }],
      };
      await source.push({ tenant, length: 1, refs: Uint32Array.of(a), ts: Float64Array.of(5), values: Float64Array.of(1), side });
      const [out] = recorded.get('recording/out')!;
      expect(Array.from(out!.refs)).toEqual([a]);
      expect(out!.side).toEqual({ ...side, exemplars: [{ ...side.exemplars[0], labels: [['trace_id', 't1'], ['seen_job', 'h']] }] });
    });
  });

  it('sees the labels of the series it is sent and creates series in the host index', async () => {
    await withDropIn('add-env.mjs', ADD_ENV, 'add_env', async (host, source) => {
      const tenant = { accountId: 7, projectId: 2 };
      const refs = ['a', 'b'].map((job) => host.series!.resolve(tenant, [{ name: '__name__', value: 'up' }, { name: 'job', value: job }]));
      for (let round = 0; round < 2; round++) {
        await source.push({ tenant, length: 2, refs: Uint32Array.from(refs), ts: Float64Array.of(1, 1), values: Float64Array.of(1, 0) });
      }
      const out = recorded.get('recording/out')!.flatMap((b) => Array.from(b.refs));
      expect(out.map((r) => formatSeries(host.series!.labels(r)))).toEqual(['up{env="prod",job="a"}', 'up{env="prod",job="b"}', 'up{env="prod",job="a"}', 'up{env="prod",job="b"}']);
      expect(out.map((r) => host.series!.tenant(r))).toEqual([tenant, tenant, tenant, tenant]);
    });
  });
});
