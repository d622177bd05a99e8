import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SampleBatch } from '../../host/batch/sample-batch.js';
import { DEFAULT_TENANT, type Tenant } from '../../host/batch/tenant.js';
import { formatSeries } from '../../host/series/labels.js';
import { WasmSeriesIndex } from '../../host/series/wasm-series-index.js';
import { BatchCollector } from '../../host/wire/batch-collector.js';
import { KernelDecoderV1 } from '../../host/wire/kernel-decode-v1.js';
import { decodeRemoteWrite } from '../../host/wire/remote-write-request.js';
import { SeriesKeyBuilder, type LabelLimits } from '../../host/wire/series-key-builder.js';
import { encodeV1, replaceDouble, snappyCompress, type TestSeries } from './bodies.js';

const LIMITS: LabelLimits = { maxLabelsPerSeries: 12, maxLabelValueLength: 40, utf8Names: false };
const MAX_BATCH = 7;

/** Everything a decode produced, with refs replaced by label text so two indexes compare. */
function describeBatches(index: WasmSeriesIndex, batches: SampleBatch[], counts: object) {
  const name = (ref: number) => formatSeries(index.labels(ref));
  return {
    counts,
    batches: batches.map((b) => ({
      rows: Array.from({ length: b.length }, (_, i) => [name(b.refs[i]!), b.ts[i]!, bitsOf(b.values, i)]),
      exemplars: b.side?.exemplars?.map((e) => ({ ...e, ref: name(e.ref) })),
      histograms: b.side?.histograms?.map((h) => ({ ...h, ref: name(h.ref) })),
      metadata: b.side?.metadata,
    })),
  };
}

function bitsOf(values: Float64Array, i: number): string {
  return new BigUint64Array(values.buffer, values.byteOffset + i * 8, 1)[0]!.toString(16);
}

type Outcome = { error: string } | ReturnType<typeof describeBatches>;

function outcome(run: () => { index: WasmSeriesIndex; out: BatchCollector }): Outcome {
  try {
    const { index, out } = run();
    const counts = { ...out.counts };
    return describeBatches(index, out.finish(), counts);
  } catch (err) {
    return { error: `${(err as Error).constructor.name}: ${(err as Error).message}` };
  }
}

/** The TypeScript path the remote_write source takes without the kernel (checks deferred, as there). */
function referenceDecode(index: WasmSeriesIndex, body: Uint8Array, tenant: Tenant, maxBytes = 1 << 20, limits = LIMITS): Outcome {
  return outcome(() => {
    const out = new BatchCollector(index, tenant, MAX_BATCH);
    decodeRemoteWrite(body, 1, maxBytes, out, new SeriesKeyBuilder(limits, 'series', { deferChecks: true }));
    return { index, out };
  });
}

/** The kernel path; `wireBytes` is the budget for labels kept as senders encode them (0: none). */
function kernelDecode(index: WasmSeriesIndex, body: Uint8Array, tenant: Tenant, opts: { maxBytes?: number; limits?: LabelLimits; wireBytes?: number } = {}): Outcome {
  const limits = opts.limits ?? LIMITS;
  return outcome(() => {
    const out = new BatchCollector(index, tenant, MAX_BATCH);
    new KernelDecoderV1(index.kernel, new SeriesKeyBuilder(limits, 'series', { deferChecks: true }), limits, opts.wireBytes ?? 1 << 20).decodeWriteRequest(body, opts.maxBytes ?? 1 << 20, tenant, out);
    return { index, out };
  });
}

/** A TimeSeries written field by field, in any order: [field number, bytes of a length-delimited field]. */
function timeSeriesFields(fields: [number, Uint8Array][]): Uint8Array {
  const out: number[] = [];
  const delimited = (field: number, bytes: ArrayLike<number>) => out.push((field << 3) | 2, bytes.length, ...Array.from(bytes));
  const inner: number[] = [];
  for (const [field, bytes] of fields) inner.push((field << 3) | 2, bytes.length, ...bytes);
  delimited(1, inner);
  return Uint8Array.from(out);
}

function labelField(name: string, value: string): Uint8Array {
  const n = Buffer.from(name);
  const v = Buffer.from(value);
  return Uint8Array.from([0x0a, n.length, ...n, 0x12, v.length, ...v]);
}

function sampleField(value: number, ts: number): Uint8Array {
  const b = Buffer.alloc(11);
  b[0] = 0x09;
  b.writeDoubleLE(value, 1);
  b[9] = 0x10;
  b[10] = ts;
  return b;
}

const NAMES = ['__name__', 'job', 'instance', 'a', 'b', 'zone', '_x', 'bad-name', '1st', 'ünï', ''];
const VALUES = ['up', 'node', 'x', 'v'.repeat(39), 'v'.repeat(41), 'ü', '', 'a b', '\u{1F600}'];
const label = fc.tuple(fc.constantFrom(...NAMES), fc.constantFrom(...VALUES));
/** Mostly sorted, unique, valid label sets; sometimes unsorted, duplicated, empty or too long. */
const labels = fc.oneof(
  { weight: 4, arbitrary: fc.uniqueArray(label, { minLength: 1, maxLength: 6, selector: ([n]) => n }).map((ls) => ls.filter(([n, v]) => n !== '' && v !== '' && n !== 'bad-name' && n !== '1st' && n !== 'ünï' && v.length <= 40).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) },
  { weight: 1, arbitrary: fc.array(label, { maxLength: 14 }) },
);
const value = fc.oneof(fc.double(), fc.constantFrom(NaN, Infinity, -Infinity, 0, -0, 1111.5));
const ts = fc.oneof(fc.integer({ min: -1e12, max: 4e12 }), fc.constantFrom(0, -1, 2 ** 52, -(2 ** 53) + 1, 1_700_000_000_000));
const series: fc.Arbitrary<TestSeries> = fc.record({
  labels,
  samples: fc.array(fc.tuple(ts, value), { maxLength: 9 }),
  exemplars: fc.option(fc.array(fc.record({ labels: fc.array(fc.tuple(fc.constantFrom('trace_id', 'span'), fc.string({ maxLength: 8 })), { maxLength: 2 }), value, ts }), { maxLength: 2 }), { nil: undefined }),
  histograms: fc.option(fc.array(fc.record({ countInt: fc.nat(100), sum: fc.double({ noNaN: true }), schema: fc.integer({ min: -4, max: 8 }), timestamp: fc.nat(1e9) }), { maxLength: 2 }), { nil: undefined }),
});
const metadata = fc.array(fc.record({ type: fc.nat(7), metricFamilyName: fc.string({ maxLength: 10 }), help: fc.string({ maxLength: 10 }), unit: fc.string({ maxLength: 5 }) }), { maxLength: 2 });
const request = fc.tuple(fc.array(series, { maxLength: 12 }), metadata).map(([s, m]) => {
  const raw = encodeV1(s, m);
  // protobufjs quiets NaN payloads, so the stale marker is written into the bytes directly.
  return s.some((x) => x.samples?.some(([, v]) => v === 1111.5)) ? replaceDouble(raw, 1111.5, 0x7ff0000000000002n) : raw;
});
/** Damage that must be refused identically: a cut, flipped bytes, inserted bytes. */
const damage = fc.oneof(
  fc.constant((b: Uint8Array) => b),
  fc.nat().map((n) => (b: Uint8Array) => b.subarray(0, b.length === 0 ? 0 : n % b.length)),
  fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 4 }).map((flips) => (b: Uint8Array) => {
    const out = b.slice();
    for (const [at, byte] of flips) if (out.length > 0) out[at % out.length] = byte;
    return out;
  }),
  fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 6 })).map(([at, bytes]) => (b: Uint8Array) => {
    const i = b.length === 0 ? 0 : at % b.length;
    return Uint8Array.from([...b.subarray(0, i), ...bytes, ...b.subarray(i)]);
  }),
);

describe.each(['simd', 'scalar'] as const)('remote_write 1.0 decoding in the series-index kernel (%s build)', (variant) => {
  it('gives what the TypeScript decoder gives, or refuses with the same error, on random and damaged bodies', async () => {
    const reference = await WasmSeriesIndex.create({ variant: 'scalar' });
    const kernel = await WasmSeriesIndex.create({ variant });
    await fc.assert(
      fc.asyncProperty(request, damage, fc.boolean(), fc.boolean(), fc.constantFrom(0, 1 << 20), async (raw, hurt, primed, twice, wireBytes) => {
        // Primed: the undamaged body went first, so the damaged one meets known series and their
        // wire labels. A second decode finds its own series known: the paths that skip label checks.
        if (primed) expect(kernelDecode(kernel, snappyCompress(raw), DEFAULT_TENANT, { wireBytes })).toEqual(referenceDecode(reference, snappyCompress(raw), DEFAULT_TENANT));
        const body = snappyCompress(hurt(raw));
        for (let round = 0; round < (twice ? 2 : 1); round++) {
          const want = referenceDecode(reference, body, DEFAULT_TENANT);
          const got = kernelDecode(kernel, body, DEFAULT_TENANT, { wireBytes });
          expect(got).toEqual(want);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('refuses bad snappy and oversized bodies as the TypeScript path does', async () => {
    const index = await WasmSeriesIndex.create({ variant });
    const body = snappyCompress(encodeV1([{ labels: [['__name__', 'up']], samples: [[1, 1]] }]));
    expect(kernelDecode(index, body, DEFAULT_TENANT, { maxBytes: 5 })).toEqual(referenceDecode(index, body, DEFAULT_TENANT, 5));
    expect(kernelDecode(index, body, DEFAULT_TENANT, { maxBytes: 5 })).toMatchObject({ error: expect.stringMatching(/^TooLargeError: .*over the limit of 5/) });
    const corrupt = Uint8Array.from([...body.subarray(0, 3), 0xff, 0xff]);
    expect(kernelDecode(index, corrupt, DEFAULT_TENANT)).toEqual(referenceDecode(index, corrupt, DEFAULT_TENANT));
    expect(kernelDecode(index, corrupt, DEFAULT_TENANT)).toMatchObject({ error: expect.stringMatching(/^WireError: bad snappy/) });
  });

  it('keeps tenants apart and keeps the stale marker bit-exact in large bodies that grow every buffer', async () => {
    const index = await WasmSeriesIndex.create({ variant, capacity: 4 });
    const other: Tenant = { accountId: 7, projectId: 1 };
    const many = Array.from({ length: 5000 }, (_, i): TestSeries => ({
      labels: [['__name__', `m${i % 13}`], ['instance', `host-${i}:9100`], ['job', 'node']],
      samples: Array.from({ length: 1 + (i % 3) }, (_, j) => [1_700_000_000_000 + j * 15_000, j === 0 && i % 100 === 0 ? 1111.5 : i + j]),
    }));
    const body = snappyCompress(replaceDouble(encodeV1(many), 1111.5, 0x7ff0000000000002n));
    const first = kernelDecode(index, body, DEFAULT_TENANT);
    const second = kernelDecode(index, body, other);
    expect(second).toEqual(first);
    expect(index.size).toBe(10_000);
    const rows = 'batches' in first ? first.batches.flatMap((b) => b.rows) : [];
    expect(rows).toHaveLength(many.reduce((n, s) => n + s.samples!.length, 0));
    expect(rows[0]).toEqual(['m0{instance="host-0:9100",job="node"}', 1_700_000_000_000, '7ff0000000000002']);
  });

  it('matches series by the bytes they last came with, and refuses them under tighter limits all the same', async () => {
    const index = await WasmSeriesIndex.create({ variant });
    const loose: LabelLimits = { maxLabelsPerSeries: 12, maxLabelValueLength: 40, utf8Names: false };
    const few: LabelLimits = { ...loose, maxLabelsPerSeries: 3 };
    const short: LabelLimits = { ...loose, maxLabelValueLength: 10 };
    // The first two series fit every limit, so the ones after them are reached by prediction.
    const many = Array.from({ length: 50 }, (_, i): TestSeries => ({
      labels: i < 2 ? [['__name__', 'up'], ['job', `api${i}`]] : [['__name__', 'http_requests_total'], ['code', '200'], ['instance', `host-${i}:9100`], ['job', 'api']],
      samples: [[1_700_000_000_000, i]],
    }));
    const body = snappyCompress(encodeV1(many));
    const first = kernelDecode(index, body, DEFAULT_TENANT);
    const wireBytes = (index.kernel.instance.exports as unknown as { wire_bytes(): number }).wire_bytes();
    // Every series' labels as sent are kept: 50 series of about 70 bytes each.
    expect(wireBytes).toBeGreaterThan(50 * 60);
    expect(kernelDecode(index, body, DEFAULT_TENANT)).toEqual(first);
    for (const limits of [few, short]) {
      const refused = kernelDecode(index, body, DEFAULT_TENANT, { limits });
      expect(refused).toEqual(referenceDecode(index, body, DEFAULT_TENANT, 1 << 20, limits));
      expect(refused).toMatchObject({ error: expect.stringMatching(/^WireError: /) });
    }
    // A budget too small for anything keeps nothing more, and decoding is the same.
    const other = await WasmSeriesIndex.create({ variant });
    expect(kernelDecode(other, body, DEFAULT_TENANT, { wireBytes: 16 })).toEqual(kernelDecode(other, body, DEFAULT_TENANT, { wireBytes: 16 }));
    expect((other.kernel.instance.exports as unknown as { wire_bytes(): number }).wire_bytes()).toBe(0);
  });

  it('takes a series whose labels come after its samples the long way, and forgets deleted series', async () => {
    const index = await WasmSeriesIndex.create({ variant });
    const reference = await WasmSeriesIndex.create({ variant: 'scalar' });
    const a = timeSeriesFields([[1, labelField('__name__', 'up')], [1, labelField('job', 'a')], [2, sampleField(1, 5)]]);
    const b = timeSeriesFields([[1, labelField('__name__', 'up')], [1, labelField('job', 'b')], [2, sampleField(2, 6)]]);
    const nameOnly = timeSeriesFields([[1, labelField('__name__', 'up')], [2, sampleField(3, 7)]]);
    // up{job="a"} again, in the place of up{}, whose label bytes are exactly its leading ones.
    const split = timeSeriesFields([[1, labelField('__name__', 'up')], [2, sampleField(4, 8)], [1, labelField('job', 'a')]]);
    for (const body of [Uint8Array.from([...a, ...b, ...nameOnly]), Uint8Array.from([...a, ...b, ...split])]) {
      for (let round = 0; round < 2; round++) expect(kernelDecode(index, snappyCompress(body), DEFAULT_TENANT)).toEqual(referenceDecode(reference, snappyCompress(body), DEFAULT_TENANT));
    }
    const before = (index.kernel.instance.exports as unknown as { wire_bytes(): number }).wire_bytes();
    expect(before).toBeGreaterThan(0);
    index.delete([0, 1]);
    expect((index.kernel.instance.exports as unknown as { wire_bytes(): number }).wire_bytes()).toBeLessThan(before);
  });
});
