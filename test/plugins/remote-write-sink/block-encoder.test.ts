import { describe, expect, it } from 'vitest';
import type { SampleBatch } from '../../../host/batch/sample-batch.js';
import { DEFAULT_TENANT } from '../../../host/batch/tenant.js';
import { labelsFromRecord } from '../../../host/series/labels.js';
import { MapSeriesIndex } from '../../../host/series/map-series-index.js';
import { decodeReference } from '../../../host/wire/encode-reference.js';
import { snappyDecompress } from '../../../host/wire/snappy.js';
import { BlockEncoder } from '../../../plugins/remote-write-sink/block-encoder.js';
import { decodeBlock } from '../../../plugins/remote-write-sink/block-format.js';

const one = (ref: number, ts: number): SampleBatch => ({ tenant: DEFAULT_TENANT, length: 1, refs: Uint32Array.of(ref), ts: Float64Array.of(ts), values: Float64Array.of(1) });

function labelsSent(encoder: BlockEncoder, batch: SampleBatch, protocol: 1 | 2): Record<string, string>[] {
  return encoder.encode(batch).flatMap((b) => decodeReference(snappyDecompress(decodeBlock(b.record)!.body, 1 << 20), protocol).map((s) => s.labels));
}

describe('BlockEncoder', () => {
  for (const protocol of [1, 2] as const) {
    it(`forgets cached labels of a deleted series, so a reused ref is sent with its new labels (v${protocol})`, () => {
      const index = new MapSeriesIndex();
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

  it('splits a batch into blocks of at most max_batch_samples, and by bytes', () => {
    const index = new MapSeriesIndex();
    const refs = Uint32Array.from({ length: 10 }, (_, i) => index.resolve(DEFAULT_TENANT, labelsFromRecord({ __name__: 'm', i: String(i).repeat(50) })));
    const batch: SampleBatch = { tenant: DEFAULT_TENANT, length: 10, refs, ts: new Float64Array(10).fill(5), values: new Float64Array(10) };
    expect(new BlockEncoder(index, { protocol: 1, maxSamples: 4, maxBytes: 1 << 20, cacheLimit: 10 }).encode(batch).map((b) => b.samples)).toEqual([4, 4, 2]);
    const bySize = new BlockEncoder(index, { protocol: 1, maxSamples: 100, maxBytes: 300, cacheLimit: 10 }).encode(batch);
    expect(bySize.reduce((n, b) => n + b.samples, 0)).toBe(10);
    expect(bySize.every((b) => snappyDecompress(decodeBlock(b.record)!.body, 1 << 20).length <= 300)).toBe(true);
  });
});
