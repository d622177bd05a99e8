import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SampleBatch } from '../../host/batch/sample-batch.js';
import { STALE_NAN, STALE_NAN_BITS } from '../../host/batch/stale.js';
import { DEFAULT_TENANT } from '../../host/batch/tenant.js';
import { labelsFromRecord, labelsToRecord } from '../../host/series/labels.js';
import { WasmSeriesIndex } from '../../host/series/wasm-series-index.js';
import { decodeReference } from '../../host/wire/encode-reference.js';
import { snappyCompress } from '../../host/wire/encode-snappy.js';
import { labelsV1FromKey, writeRequestV1 } from '../../host/wire/encode-v1.js';
import { ProtoWriter } from '../../host/wire/encode-writer.js';
import { KernelEncodeV1 } from '../../host/wire/kernel-encode-v1.js';
import { snappyDecompress } from '../../host/wire/snappy.js';

const TWO_63 = 2 ** 63;

const labelName = fc.oneof(fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,10}$/), fc.stringMatching(/^[a-z_]{120,200}$/));
const labelValue = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 16 }) },
  // Long enough for two- and three-byte length prefixes.
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 120, maxLength: 20_000 }) },
);
const labelSet = fc.dictionary(labelName, labelValue, { minKeys: 1, maxKeys: 8 }).map((r) => ({ __name__: 'm', ...r }));

const timestamp = fc.oneof(
  fc.integer({ min: -1e13, max: 1e13 }),
  fc.constant(Date.UTC(2026, 0, 1)),
  fc.double({ min: -TWO_63, max: TWO_63, noNaN: true }),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(Number),
  fc.constantFrom(0, -0, -0.5, 0.9, 2 ** 53, -(2 ** 53) - 2, -TWO_63, TWO_63),
);

const bitsOf = (v: number) => new BigUint64Array(Float64Array.of(v).buffer)[0]!;
/** Value bits rather than numbers, so that NaN payloads survive the test's own plumbing. */
const valueBits = fc.oneof(
  fc.double().map(bitsOf),
  fc.constant(STALE_NAN_BITS),
  fc.constantFrom(Infinity, -Infinity, NaN, -0).map(bitsOf),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
);

interface Case {
  series: Record<string, string>[];
  /** Runs of rows of one series, so that refs repeat in neighbouring rows. */
  runs: { series: number; samples: [number, bigint][] }[];
}

const caseArb: fc.Arbitrary<Case> = fc.array(labelSet, { minLength: 1, maxLength: 10 }).chain((series) =>
  fc.record({
    series: fc.constant(series),
    runs: fc.array(
      fc.record({ series: fc.nat(series.length - 1), samples: fc.array(fc.tuple(timestamp, valueBits), { minLength: 1, maxLength: 4 }) }),
      { maxLength: 30 },
    ),
  }),
);

function batchOf(index: WasmSeriesIndex, c: Case): SampleBatch {
  const refs = c.series.map((s) => index.resolve(DEFAULT_TENANT, labelsFromRecord(s)));
  const rows = c.runs.flatMap((r) => r.samples.map(([t, v]) => [refs[r.series]!, t, v] as const));
  const values = new Float64Array(rows.length);
  new BigUint64Array(values.buffer).set(rows.map((r) => r[2]));
  return {
    tenant: DEFAULT_TENANT,
    length: rows.length,
    refs: Uint32Array.from(rows.map((r) => r[0])),
    ts: Float64Array.from(rows.map((r) => r[1])),
    values,
  };
}

function referenceBody(index: WasmSeriesIndex, batch: SampleBatch, start: number, end: number): Buffer {
  const w = new ProtoWriter(16);
  writeRequestV1(w, batch, start, end, (ref) => labelsV1FromKey(index.key(ref)));
  return Buffer.from(w.view());
}

/** What a receiver reads back: the truncated timestamp as the int64 it was sent as. */
const sentTimestamp = (t: number) => Number(BigInt.asIntN(64, BigInt(Math.trunc(t))));

describe.each(['simd', 'scalar'] as const)('remote_write v1 encoding in the series-index kernel (%s build)', (variant) => {
  let index: WasmSeriesIndex;
  let encoder: KernelEncodeV1;
  beforeAll(async () => {
    index = await WasmSeriesIndex.create({ variant });
    encoder = new KernelEncodeV1(index.kernel);
  });

  it('writes the bytes of writeRequestV1 with labelsV1FromKey, and compresses them as snappyCompress does', () => {
    fc.assert(
      fc.property(caseArb, fc.nat(), fc.nat(), (c, a, b) => {
        const batch = batchOf(index, c);
        const start = batch.length === 0 ? 0 : a % (batch.length + 1);
        const end = start + (batch.length === 0 ? 0 : b % (batch.length - start + 1));
        const expected = referenceBody(index, batch, start, end);
        expect(encoder.encode(batch, start, end)).toBe(expected.length);
        expect(Buffer.from(encoder.body())).toEqual(expected);
        expect(Buffer.from(encoder.compress())).toEqual(Buffer.from(snappyCompress(expected)));
      }),
      { numRuns: 200 },
    );
  });

  it('bodies decode with the protobufjs schema to the rows of the batch', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const batch = batchOf(index, c);
        encoder.encode(batch, 0, batch.length);
        const decoded = decodeReference(snappyDecompress(encoder.compress(), 1 << 30), 1).flatMap((s) =>
          s.samples.map(([t, v]) => ({ labels: s.labels, t, v })),
        );
        const rows = Array.from({ length: batch.length }, (_, i) => ({
          labels: labelsToRecord(index.labels(batch.refs[i]!)),
          t: sentTimestamp(batch.ts[i]!),
          v: batch.values[i]!,
        }));
        expect(decoded).toEqual(rows);
      }),
      { numRuns: 100 },
    );
  });

  it('keeps the stale marker NaN bit-exact', () => {
    const ref = index.resolve(DEFAULT_TENANT, labelsFromRecord({ __name__: 'up', job: 'stale' }));
    const batch: SampleBatch = { tenant: DEFAULT_TENANT, length: 1, refs: Uint32Array.of(ref), ts: Float64Array.of(1000), values: Float64Array.of(STALE_NAN) };
    encoder.encode(batch, 0, 1);
    const body = Buffer.from(encoder.body());
    const at = body.indexOf(Buffer.from([0x09, 0x02, 0, 0, 0, 0, 0, 0xf0, 0x7f]));
    expect(at).toBeGreaterThan(0);
  });

  it('grows its buffers for a large batch of long series and still matches the reference', () => {
    const n = 30_000;
    const refs = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      refs[i] = index.resolve(DEFAULT_TENANT, labelsFromRecord({ __name__: 'big', pod: `pod-${i % 3000}-${'x'.repeat(150)}`, i: String(i % 7) }));
    }
    const batch: SampleBatch = {
      tenant: DEFAULT_TENANT,
      length: n,
      refs,
      ts: Float64Array.from({ length: n }, (_, i) => 1_767_225_600_000 + i),
      values: Float64Array.from({ length: n }, (_, i) => i / 3),
    };
    const expected = referenceBody(index, batch, 0, n);
    expect(expected.length).toBeGreaterThan(4 << 20);
    expect(encoder.encode(batch, 0, n)).toBe(expected.length);
    // Buffer.equals: a deep comparison of megabytes would take the test's whole time budget.
    expect(expected.equals(encoder.body())).toBe(true);
    expect(Buffer.from(snappyCompress(expected)).equals(encoder.compress())).toBe(true);
  });

  it('matches the reference for series whose size crosses a length-prefix boundary', () => {
    // {__name__="m", v=<x bytes>} with one sample at 0 is x + 37 bytes: 16384, a three-byte
    // length, for x = 16347, while its labels' shortest possible encoding stays under it.
    for (const x of [16_346, 16_347, 16_348]) {
      const ref = index.resolve(DEFAULT_TENANT, labelsFromRecord({ __name__: 'm', v: 'v'.repeat(x) }));
      const batch: SampleBatch = { tenant: DEFAULT_TENANT, length: 2, refs: Uint32Array.of(ref, ref), ts: Float64Array.of(0, 0), values: new Float64Array(2) };
      for (const rows of [1, 2]) {
        const expected = referenceBody(index, batch, 0, rows);
        expect(encoder.encode(batch, 0, rows)).toBe(expected.length);
        expect(expected.equals(encoder.body())).toBe(true);
      }
    }
  });

  it('encodes an empty range as an empty request', () => {
    const batch: SampleBatch = { tenant: DEFAULT_TENANT, length: 0, refs: new Uint32Array(0), ts: new Float64Array(0), values: new Float64Array(0) };
    expect(encoder.encode(batch, 0, 0)).toBe(0);
    expect(Buffer.from(encoder.compress())).toEqual(Buffer.from(snappyCompress(new Uint8Array(0))));
  });

  it('refuses a ref the index no longer holds, and then has no body to compress', () => {
    const live = index.resolve(DEFAULT_TENANT, labelsFromRecord({ __name__: 'live' }));
    const gone = index.resolve(DEFAULT_TENANT, labelsFromRecord({ __name__: 'gone' }));
    index.delete([gone]);
    const batch: SampleBatch = { tenant: DEFAULT_TENANT, length: 3, refs: Uint32Array.of(live, live, gone), ts: new Float64Array(3), values: new Float64Array(3) };
    expect(() => encoder.encode(batch, 0, 3)).toThrow(new RangeError(`cannot encode series ref ${gone} (row 2): the series index no longer holds it`));
    expect(() => encoder.compress()).toThrow(RangeError);
    expect(() => encoder.encode(batch, 0, 4)).toThrow(RangeError);
    expect(encoder.encode(batch, 0, 2)).toBeGreaterThan(0);
  });

  it('refuses a timestamp that is no int64 rather than writing a broken field', () => {
    const ref = index.resolve(DEFAULT_TENANT, labelsFromRecord({ __name__: 'up' }));
    for (const t of [NaN, Infinity, -Infinity, -(2 ** 64), 2 ** 64]) {
      const batch: SampleBatch = { tenant: DEFAULT_TENANT, length: 2, refs: Uint32Array.of(ref, ref), ts: Float64Array.of(5, t), values: new Float64Array(2) };
      expect(() => encoder.encode(batch, 0, 2)).toThrow(/row 1\): not an int64/);
    }
  });
});

it('a reused ref is encoded with the labels of its new series', async () => {
  const index = await WasmSeriesIndex.create({ purgeThreshold: 1 });
  const encoder = new KernelEncodeV1(index.kernel);
  const old = index.resolve(DEFAULT_TENANT, labelsFromRecord({ __name__: 'old_series' }));
  index.delete([old]);
  index.compact();
  const reused = index.resolve(DEFAULT_TENANT, labelsFromRecord({ __name__: 'new_series' }));
  expect(reused).toBe(old);
  const batch: SampleBatch = { tenant: DEFAULT_TENANT, length: 1, refs: Uint32Array.of(reused), ts: Float64Array.of(1), values: Float64Array.of(2) };
  encoder.encode(batch, 0, 1);
  expect(decodeReference(encoder.body(), 1)).toEqual([{ labels: { __name__: 'new_series' }, samples: [[1, 2]] }]);
});
