import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isStaleNaN } from '../../host/batch/stale.js';
import { DEFAULT_TENANT } from '../../host/batch/tenant.js';
import { SluiceError, TooLargeError } from '../../host/errors.js';
import { formatSeries } from '../../host/series/labels.js';
import { MapSeriesIndex } from '../../host/series/map-series-index.js';
import { createSeriesIndex } from '../../host/series/create-series-index.js';
import type { SeriesIndex } from '../../host/series/series-index.js';
import { BatchCollector } from '../../host/wire/batch-collector.js';
import { decodeRemoteWrite, type RemoteWriteVersion } from '../../host/wire/remote-write-request.js';
import { RequestV2, WriteRequestV1 } from '../../host/wire/remote-write-schema.js';
import { SeriesKeyBuilder } from '../../host/wire/series-key-builder.js';
import { WireError } from '../../host/wire/wire-error.js';
import { encodeV1, encodeV2, replaceDouble, snappyCompress, type TestSeriesV2 } from './bodies.js';

const LIMITS = { maxLabelsPerSeries: 30, maxLabelValueLength: 256, utf8Names: false };

function decode(raw: Uint8Array, version: RemoteWriteVersion, opts: { maxBatch?: number; maxBytes?: number; deferChecks?: boolean; index?: SeriesIndex } = {}) {
  const index = opts.index ?? new MapSeriesIndex();
  const out = new BatchCollector(index, DEFAULT_TENANT, opts.maxBatch ?? 1000);
  decodeRemoteWrite(snappyCompress(raw), version, opts.maxBytes ?? 1 << 26, out, new SeriesKeyBuilder(LIMITS, 'series', { deferChecks: opts.deferChecks ?? false }));
  const counts = { ...out.counts };
  const batches = out.finish();
  const rows: [string, number, number][] = [];
  for (const b of batches) for (let i = 0; i < b.length; i++) rows.push([formatSeries(index.labels(b.refs[i]!)), b.ts[i]!, b.values[i]!]);
  return { rows, batches, counts, index };
}

function decodeError(raw: Uint8Array, version: RemoteWriteVersion, opts: { deferChecks?: boolean; index?: SeriesIndex } = {}): WireError {
  try {
    decode(raw, version, opts);
  } catch (err) {
    expect(err).toBeInstanceOf(WireError);
    return err as WireError;
  }
  throw new Error('expected the body to be refused');
}

const series = (name: string, extra: [string, string][] = []): [string, string][] => [['__name__', name], ...extra];

describe('remote_write decoding', () => {
  it('decodes a v1 request into rows with the series labels and sample values', () => {
    const raw = encodeV1([
      { labels: series('up', [['instance', 'a:9100'], ['job', 'node']]), samples: [[1000, 1], [2000, 0]] },
      { labels: series('http_requests_total', [['code', '200']]), samples: [[1500, 42.5]] },
    ]);
    const { rows, counts } = decode(raw, 1);
    expect(rows).toEqual([
      ['up{instance="a:9100",job="node"}', 1000, 1],
      ['up{instance="a:9100",job="node"}', 2000, 0],
      ['http_requests_total{code="200"}', 1500, 42.5],
    ]);
    expect(counts).toMatchObject({ series: 2, samples: 3 });
  });

  it('keeps the stale marker and other NaN payloads bit-exact', () => {
    for (const version of [1, 2] as const) {
      const series1 = [{ labels: series('x'), samples: [[1, 1111.5], [2, 2222.5]] as [number, number][] }];
      let body = version === 1 ? encodeV1(series1) : encodeV2(series1);
      body = replaceDouble(replaceDouble(body, 1111.5, 0x7ff0000000000002n), 2222.5, 0x7ff8000000000abcn);
      const { batches } = decode(body, version);
      const bits = new BigUint64Array(batches[0]!.values.buffer, batches[0]!.values.byteOffset, 2);
      expect(bits[0]).toBe(0x7ff0000000000002n);
      expect(bits[1]).toBe(0x7ff8000000000abcn);
      expect(isStaleNaN(batches[0]!.values[0]!)).toBe(true);
    }
  });

  it('decodes negative and large timestamps exactly', () => {
    const raw = encodeV1([{ labels: series('t'), samples: [[-5000, 1], [2 ** 52, 2], [1_700_000_000_123, 3]] }]);
    expect(decode(raw, 1).rows.map((r) => r[1])).toEqual([-5000, 2 ** 52, 1_700_000_000_123]);
  });

  it('splits rows into batches of at most max_batch_samples', () => {
    const raw = encodeV1([{ labels: series('m'), samples: Array.from({ length: 25 }, (_, i) => [i, i] as [number, number]) }]);
    const { batches } = decode(raw, 1, { maxBatch: 10 });
    expect(batches.map((b) => b.length)).toEqual([10, 10, 5]);
  });

  it('decodes a v2 request with symbols, exemplars, native histograms and metadata', () => {
    const histogram = { countInt: 5, sum: 12.5, schema: 3, zeroThreshold: 0.001, zeroCountInt: 1, positiveSpans: [{ offset: 0, length: 2 }], positiveDeltas: [2, -1], timestamp: 3000, startTimestamp: 1000 };
    const body: TestSeriesV2[] = [
      {
        labels: series('rpc_seconds_total', [['job', 'api']]),
        samples: [[1000, 7]],
        exemplars: [{ labels: [['trace_id', 'abc123']], value: 0.25, ts: 999 }],
        metadata: { type: 1, help: 'Seconds spent in RPCs.', unit: 'seconds' },
        startTimestamp: 10,
      },
      { labels: series('rpc_latency', [['job', 'api']]), histograms: [histogram], metadata: { type: 3, help: 'Latency.', unit: '' } },
    ];
    const { rows, batches, counts, index } = decode(encodeV2(body), 2);
    expect(rows).toEqual([['rpc_seconds_total{job="api"}', 1000, 7]]);
    expect(counts).toMatchObject({ series: 2, samples: 1, histograms: 1, exemplars: 1, metadata: 2 });
    const side = batches[0]!.side!;
    expect(side.exemplars).toEqual([{ ref: batches[0]!.refs[0], labels: [['trace_id', 'abc123']], value: 0.25, ts: 999 }]);
    expect(formatSeries(index.labels(side.histograms![0]!.ref))).toBe('rpc_latency{job="api"}');
    expect(side.histograms![0]!.ts).toBe(3000);
    expect(side.histograms![0]!.histogram).toMatchObject({ countInt: 5, sum: 12.5, schema: 3, positiveDeltas: [2, -1], startTimestamp: 1000 });
    expect(side.metadata).toEqual([
      { metricFamilyName: 'rpc_seconds_total', type: 'counter', help: 'Seconds spent in RPCs.', unit: 'seconds' },
      { metricFamilyName: 'rpc_latency', type: 'histogram', help: 'Latency.', unit: '' },
    ]);
  });

  it('keeps one copy of metadata repeated by every series of a family', () => {
    const meta = { type: 2, help: 'Temperature.', unit: 'celsius' };
    const body = ['a', 'b', 'c'].map((room) => ({ labels: series('temp', [['room', room]]), samples: [[1, 20]] as [number, number][], metadata: meta }));
    expect(decode(encodeV2(body), 2).counts.metadata).toBe(1);
  });

  it('decodes v1 exemplars, histograms and request metadata', () => {
    const raw = encodeV1(
      [{ labels: series('h'), histograms: [{ countFloat: 2.5, sum: 1, schema: 0, timestamp: 50 }], exemplars: [{ labels: [['trace_id', 't']], value: 1, ts: 5 }] }],
      [{ type: 1, metricFamilyName: 'h', help: 'help text', unit: 'bytes' }],
    );
    const { batches, counts } = decode(raw, 1);
    expect(counts).toMatchObject({ histograms: 1, exemplars: 1, metadata: 1 });
    expect(batches[0]!.side!.metadata).toEqual([{ metricFamilyName: 'h', type: 'counter', help: 'help text', unit: 'bytes' }]);
    expect(batches[0]!.side!.histograms![0]).toMatchObject({ ts: 50, histogram: { countFloat: 2.5 } });
  });

  it('refuses unsorted, duplicate and empty label names with the reason', () => {
    expect(decodeError(encodeV1([{ labels: [['job', 'x'], ['__name__', 'up']], samples: [[1, 1]] }]), 1).message).toMatch(/not sorted/);
    expect(decodeError(encodeV1([{ labels: [['__name__', 'up'], ['a', '1'], ['a', '2']], samples: [[1, 1]] }]), 1).message).toMatch(/duplicate label name "a"/);
    expect(decodeError(encodeV1([{ labels: [['', 'x']], samples: [[1, 1]] }]), 1).message).toMatch(/empty label name/);
    expect(decodeError(encodeV2([{ labels: [['job', 'x'], ['__name__', 'up']], samples: [[1, 1]] }]), 2).message).toMatch(/not sorted/);
    expect(decodeError(encodeV1([{ labels: [['__name__', 'up'], ['bad-name', 'x']], samples: [[1, 1]] }]), 1).message).toMatch(/does not match/);
    // A symbol first seen as a value is still checked when a later series uses it as a name.
    const v2BadName = encodeV2([{ labels: [['__name__', 'bad-name']], samples: [[1, 1]] }, { labels: [['__name__', 'up'], ['bad-name', 'x']], samples: [[1, 1]] }]);
    expect(decodeError(v2BadName, 2).message).toMatch(/label name "bad-name" does not match .* \(series 1\)$/);
    expect(decodeError(encodeV1([{ labels: [], samples: [[1, 1]] }]), 1).message).toMatch(/no labels/);
  });

  describe.each(['reference', 'wasm'] as const)('with label checks deferred to new series (%s index)', (implementation) => {
    it('refuses the same invalid labels, naming the same series', async () => {
      const index = await createSeriesIndex({ implementation });
      const opts = { deferChecks: true, index };
      expect(decodeError(encodeV1([{ labels: [['job', 'x'], ['__name__', 'up']], samples: [[1, 1]] }]), 1, opts).message).toMatch(/not sorted.*\(series 0\)$/);
      expect(decodeError(encodeV1([{ labels: series('ok'), samples: [[1, 1]] }, { labels: [['__name__', 'up'], ['a', '1'], ['a', '2']], samples: [[1, 1]] }]), 1, opts).message).toMatch(/duplicate label name "a" \(series 1\)$/);
      expect(decodeError(encodeV1([{ labels: [['__name__', 'up'], ['bad-name', 'x']], samples: [[1, 1]] }]), 1, opts).message).toMatch(/does not match/);
      expect(decodeError(encodeV2([{ labels: [['job', 'x'], ['__name__', 'up']], samples: [[1, 1]] }]), 2, opts).message).toMatch(/not sorted/);
      const badUtf8 = encodeV1([{ labels: series('up', [['job', 'x']]), samples: [[1, 1]] }]);
      const at = Buffer.from(badUtf8).indexOf(Buffer.from('job'));
      badUtf8[at + 5] = 0xff; // the value "x" becomes an invalid UTF-8 byte
      expect(decodeError(badUtf8, 1, opts).message).toMatch(/not valid UTF-8/);
    });

    it('inserts nothing from a refused request and accepts its valid series afterwards', async () => {
      const index = await createSeriesIndex({ implementation });
      const good = { labels: series('up', [['job', 'a']]), samples: [[1, 1]] as [number, number][] };
      const bad = { labels: [['__name__', 'up'], ['job', 'b'], ['bad-name', 'x']] as [string, string][], samples: [[1, 1]] as [number, number][] };
      expect(decodeError(encodeV1([good, bad]), 1, { deferChecks: true, index }).message).toMatch(/\(series 1\)$/);
      expect(index.size).toBe(0);
      expect(decode(encodeV1([good]), 1, { deferChecks: true, index }).rows).toEqual([['up{job="a"}', 1, 1]]);
      expect(decode(encodeV1([good, good]), 1, { deferChecks: true, index }).rows).toHaveLength(2);
      expect(index.size).toBe(1);
    });
  });

  it('refuses label bombs by count and by length', () => {
    const many = Array.from({ length: 40 }, (_, i) => [`l${String(i).padStart(2, '0')}`, 'v'] as [string, string]);
    const err = decodeError(encodeV1([{ labels: series('m', many), samples: [[1, 1]] }]), 1);
    expect(err.reason).toBe('label_limits');
    expect(decodeError(encodeV1([{ labels: series('m', [['a', 'x'.repeat(300)]]), samples: [[1, 1]] }]), 1).message).toMatch(/max_label_value_length/);
  });

  it('refuses v2 label refs outside the symbols table', () => {
    const raw = RequestV2.encode(RequestV2.fromObject({ symbols: ['', '__name__', 'up'], timeseries: [{ labelsRefs: [1, 7], samples: [{ value: 1, timestamp: 1 }] }] })).finish();
    expect(decodeError(raw, 2).reason).toBe('symbols');
    const odd = RequestV2.encode(RequestV2.fromObject({ symbols: ['', '__name__', 'up'], timeseries: [{ labelsRefs: [1, 2, 1], samples: [] }] })).finish();
    expect(decodeError(odd, 2).message).toMatch(/odd number/);
  });

  it('refuses a declared uncompressed size over the limit with 413 before allocating it', () => {
    const raw = encodeV1([{ labels: series('m'), samples: [[1, 1]] }]);
    expect(() => decode(raw, 1, { maxBytes: 8 })).toThrow(TooLargeError);
  });

  it('refuses every truncation of a valid body as bad input, never with another error', () => {
    const raw = encodeV1([{ labels: series('m', [['a', 'b']]), samples: [[1, 1], [2, 2]], exemplars: [{ labels: [['t', 'x']], value: 1, ts: 1 }] }]);
    for (let cut = 1; cut < raw.length; cut++) {
      try {
        decode(raw.subarray(0, cut), 1);
      } catch (err) {
        expect((err as SluiceError).status).toBe(400);
      }
    }
  });

  it('agrees with protobufjs object decoding on random requests', () => {
    const label = fc.tuple(fc.stringMatching(/^[a-z_][a-z0-9_]{0,8}$/), fc.string({ minLength: 1, maxLength: 12 }));
    const labelSet = fc.uniqueArray(label, { minLength: 1, maxLength: 6, selector: ([n]) => n }).map((ls) => ls.sort(([a], [b]) => (Buffer.from(a) < Buffer.from(b) ? -1 : 1)));
    const sample = fc.tuple(fc.integer({ min: -1e12, max: 1e13 }), fc.double());
    const request = fc.array(fc.record({ labels: labelSet, samples: fc.array(sample, { maxLength: 5 }) }), { maxLength: 8 });
    fc.assert(
      fc.property(request, fc.boolean(), (req, v2) => {
        const raw = v2 ? encodeV2(req) : encodeV1(req);
        const expected: [string, number, number][] = [];
        const obj = (v2 ? RequestV2 : WriteRequestV1).toObject((v2 ? RequestV2 : WriteRequestV1).decode(raw), { longs: Number, defaults: true }) as any;
        for (const ts of obj.timeseries) {
          const labels = v2 ? pairs(ts.labelsRefs.map((r: number) => obj.symbols[r])) : ts.labels.map((l: any) => [l.name, l.value]);
          const name = formatSeries(labels.map(([n, v]: [string, string]) => ({ name: n, value: v })));
          for (const s of ts.samples) expected.push([name, s.timestamp, s.value]);
        }
        const got = decode(raw, v2 ? 2 : 1).rows;
        expect(got.length).toBe(expected.length);
        got.forEach((row, i) => {
          expect(row[0]).toBe(expected[i]![0]);
          expect(row[1]).toBe(expected[i]![1]);
          expect(Object.is(row[2], expected[i]![2]) || (Number.isNaN(row[2]) && Number.isNaN(expected[i]![2]))).toBe(true);
        });
      }),
      { numRuns: 300 },
    );
  });
});

function pairs(xs: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < xs.length; i += 2) out.push([xs[i]!, xs[i + 1]!]);
  return out;
}
