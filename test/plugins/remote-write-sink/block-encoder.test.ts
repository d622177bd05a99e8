import { describe, expect, it } from 'vitest';
import { withWireForm, type SampleBatch } from '../../../host/batch/sample-batch.js';
import { STALE_NAN } from '../../../host/batch/stale.js';
import { DEFAULT_TENANT } from '../../../host/batch/tenant.js';
import { labelsFromRecord } from '../../../host/series/labels.js';
import { MapSeriesIndex } from '../../../host/series/map-series-index.js';
import type { SeriesIndex } from '../../../host/series/series-index.js';
import { WasmSeriesIndex } from '../../../host/series/wasm-series-index.js';
import { decodeReference } from '../../../host/wire/encode-reference.js';
import { snappyDecompress } from '../../../host/wire/snappy.js';
import { BlockEncoder } from '../../../plugins/remote-write-sink/block-encoder.js';
import { decodeBlock } from '../../../plugins/remote-write-sink/block-format.js';
import { encodeV1, snappyLiterals } from '../../wire/bodies.js';

const one = (ref: number, ts: number): SampleBatch => ({ tenant: DEFAULT_TENANT, length: 1, refs: Uint32Array.of(ref), ts: Float64Array.of(ts), values: Float64Array.of(1) });

function labelsSent(encoder: BlockEncoder, batch: SampleBatch, protocol: 1 | 2): Record<string, string>[] {
  return encoder.encode(batch).flatMap((b) => decodeReference(snappyDecompress(decodeBlock(b.record)!.body, 1 << 20), protocol).map((s) => s.labels));
}

const indexes = {
  map: async (): Promise<SeriesIndex> => new MapSeriesIndex(),
  // v1 blocks go through the index kernel's encoder here.
  wasm: async (): Promise<SeriesIndex> => WasmSeriesIndex.create({ purgeThreshold: 1 }),
};

describe.each(Object.keys(indexes) as (keyof typeof indexes)[])('BlockEncoder (%s series index)', (kind) => {
  const makeIndex = indexes[kind];

  for (const protocol of [1, 2] as const) {
    it(`forgets cached labels of a deleted series, so a reused ref is sent with its new labels (v${protocol})`, async () => {
      const index = await makeIndex();
      const encoder = new BlockEncoder(index, { protocol, maxSamples: 100, maxBytes: 1 << 20, cacheLimit: 1000 });
      const old = index.resolve(DEFAULT_TENANT, labelsFromRecord({ __name__: 'old_series' }));
      expect(labelsSent(encoder, one(old, 1), protocol)).toEqual([{ __name__: 'old_series' }]);
      index.delete([old]);
      index.compact();
      const reused = index.resolve(DEFAULT_TENANT, labelsFromRecord({ __name__: 'new_series' }));
      expect(reused).toBe(old);
      expect(labelsSent(encoder, one(reused, 2), protocol)).toEqual([{ __name__: 'new_series' }]);
      encoder.close();
    });
  }

  it('splits a batch into blocks of at most max_batch_samples, and by bytes', async () => {
    const index = await makeIndex();
    const refs = Uint32Array.from({ length: 10 }, (_, i) => index.resolve(DEFAULT_TENANT, labelsFromRecord({ __name__: 'm', i: String(i).repeat(50) })));
    const batch: SampleBatch = { tenant: DEFAULT_TENANT, length: 10, refs, ts: new Float64Array(10).fill(5), values: new Float64Array(10) };
    expect(new BlockEncoder(index, { protocol: 1, maxSamples: 4, maxBytes: 1 << 20, cacheLimit: 10 }).encode(batch).map((b) => b.samples)).toEqual([4, 4, 2]);
    const bySize = new BlockEncoder(index, { protocol: 1, maxSamples: 100, maxBytes: 300, cacheLimit: 10 }).encode(batch);
    expect(bySize.reduce((n, b) => n + b.samples, 0)).toBe(10);
    expect(bySize.every((b) => snappyDecompress(decodeBlock(b.record)!.body, 1 << 20).length <= 300)).toBe(true);
  });
});

describe('BlockEncoder on the series-index kernel (v1)', () => {
  /** The same index without its kernel: the TypeScript path with its label cache. */
  const withoutKernel = (index: SeriesIndex) =>
    ({ onDelete: (l: (refs: Uint32Array) => void) => index.onDelete(l), key: (r: number) => index.key(r), labels: (r: number) => index.labels(r) }) as unknown as SeriesIndex;

  async function sample(): Promise<{ index: WasmSeriesIndex; batch: SampleBatch }> {
    const index = await WasmSeriesIndex.create();
    const refs = Array.from({ length: 40 }, (_, i) => index.resolve(DEFAULT_TENANT, labelsFromRecord({ __name__: 'http_requests_total', pod: `pod-${i % 13}`, path: `/α/${i}` })));
    const n = 40;
    const values = Float64Array.from({ length: n }, (_, i) => i * 1.5);
    values[7] = STALE_NAN;
    return {
      index,
      batch: { tenant: DEFAULT_TENANT, length: n, refs: Uint32Array.from(refs.map((r, i) => (i % 5 === 1 ? refs[i - 1]! : r))), ts: Float64Array.from({ length: n }, (_, i) => 1_767_225_600_000 - i * 7), values },
    };
  }

  it('writes the very blocks of the TypeScript path, halving included', async () => {
    const { index, batch } = await sample();
    for (const opts of [
      { maxSamples: 16, maxBytes: 1 << 20 },
      { maxSamples: 100, maxBytes: 700 },
    ]) {
      const kernel = new BlockEncoder(index, { protocol: 1, cacheLimit: 100, ...opts });
      const typescript = new BlockEncoder(withoutKernel(index), { protocol: 1, cacheLimit: 100, ...opts });
      const blocks = kernel.encode(batch);
      expect(blocks.length).toBeGreaterThan(2);
      expect(blocks.map((b) => Buffer.from(b.record))).toEqual(typescript.encode(batch).map((b) => Buffer.from(b.record)));
      expect(kernel.cachedSeries).toBe(0);
    }
  });

  it('keeps the TypeScript path for the block carrying side columns', async () => {
    const { index, batch } = await sample();
    const withSide = { ...batch, side: { exemplars: [{ ref: batch.refs[0]!, labels: [['trace_id', 'abc']] as [string, string][], value: 1, ts: 5 }] } };
    const opts = { protocol: 1 as const, cacheLimit: 100, maxSamples: 16, maxBytes: 1 << 20 };
    const blocks = new BlockEncoder(index, opts).encode(withSide);
    expect(blocks.map((b) => Buffer.from(b.record))).toEqual(new BlockEncoder(withoutKernel(index), opts).encode(withSide).map((b) => Buffer.from(b.record)));
  });

  it('refuses a batch holding a ref the index has deleted', async () => {
    const { index, batch } = await sample();
    index.delete([batch.refs[3]!]);
    const encoder = new BlockEncoder(index, { protocol: 1, cacheLimit: 100, maxSamples: 100, maxBytes: 1 << 20 });
    expect(() => encoder.encode(batch)).toThrow(new RangeError(`cannot encode series ref ${batch.refs[3]} (row 3): the series index no longer holds it`));
  });
});

describe('BlockEncoder with a batch that carries its request as received', () => {
  /** A v1 request of 3 samples and a native histogram, and a batch of the same content carrying it. */
  async function received(): Promise<{ index: WasmSeriesIndex; batch: SampleBatch; body: Uint8Array }> {
    const index = await WasmSeriesIndex.create();
    const ref = (job: string) => index.resolve(DEFAULT_TENANT, labelsFromRecord({ __name__: 'up', job }));
    const histogram = { countInt: 3, sum: 1.5, schema: 0, positiveSpans: [{ offset: 0, length: 1 }], positiveDeltas: [3], timestamp: 3000 };
    const body = snappyLiterals(
      encodeV1([
        { labels: [['__name__', 'up'], ['job', 'a']], samples: [[1000, 1], [2000, 1]], histograms: [histogram] },
        { labels: [['__name__', 'up'], ['job', 'b']], samples: [[1000, 0]] },
      ]),
    );
    const rows: SampleBatch = { tenant: DEFAULT_TENANT, length: 3, refs: Uint32Array.of(ref('a'), ref('a'), ref('b')), ts: Float64Array.of(1000, 2000, 1000), values: Float64Array.of(1, 1, 0) };
    const batch = withWireForm({ ...rows, side: { histograms: [{ ref: ref('a'), ts: 3000, histogram }] } }, { protocol: 1, body });
    return { index, batch, body };
  }
  const opts = { protocol: 1 as const, cacheLimit: 100, maxSamples: 100, maxBytes: 1 << 20 };

  it('queues the received bytes as one block, counting its histograms as samples', async () => {
    const { index, batch, body } = await received();
    const blocks = new BlockEncoder(index, opts).encode(batch);
    expect(blocks).toHaveLength(1);
    expect(blocks[0]!.forwarded).toBe(true);
    const block = decodeBlock(blocks[0]!.record)!;
    expect(Buffer.from(block.body)).toEqual(Buffer.from(body));
    expect(block).toMatchObject({ protocol: 1, tenant: DEFAULT_TENANT, samples: 4 });
    expect(blocks[0]!.samples).toBe(4);
  });

  it('encodes the rows instead for a remote_write 2.0 sink, a batch without the request, or one over max_batch_samples or max_batch_bytes', async () => {
    const { index, batch, body } = await received();
    const rawBytes = snappyDecompress(body, 1 << 20).length;
    const cases: [string, BlockEncoder, SampleBatch][] = [
      ['v2 sink', new BlockEncoder(index, { ...opts, protocol: 2 }), batch],
      ['a copy of the batch, which drops the request', new BlockEncoder(index, opts), { ...batch }],
      ['over max_batch_samples', new BlockEncoder(index, { ...opts, maxSamples: 3 }), batch],
      ['over max_batch_bytes', new BlockEncoder(index, { ...opts, maxBytes: rawBytes - 1 }), batch],
    ];
    for (const [what, encoder, input] of cases) {
      const blocks = encoder.encode(input);
      expect(blocks.every((b) => !b.forwarded), what).toBe(true);
      expect(blocks.reduce((n, b) => n + b.samples, 0), what).toBe(4);
      const protocol = what === 'v2 sink' ? 2 : 1;
      const sent = blocks.flatMap((b) => decodeReference(snappyDecompress(decodeBlock(b.record)!.body, 1 << 20), protocol));
      expect(sent.flatMap((s) => s.samples.map(([t, v]) => `${s.labels.job} ${t} ${v}`)).sort(), what).toEqual(['a 1000 1', 'a 2000 1', 'b 1000 0']);
    }
  });
});
