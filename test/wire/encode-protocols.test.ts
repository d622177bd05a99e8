import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SampleBatch } from '../../host/batch/sample-batch.js';
import { STALE_NAN } from '../../host/batch/stale.js';
import { DEFAULT_TENANT } from '../../host/batch/tenant.js';
import { labelsFromRecord, type Labels } from '../../host/series/labels.js';
import { decodeReference, encodeV1Reference, encodeV2Reference } from '../../host/wire/encode-reference.js';
import { snappyCompress } from '../../host/wire/encode-snappy.js';
import { snappyDecompress } from '../../host/wire/snappy.js';
import { encodeLabelsV1, labelsV1FromKey, writeRequestV1 } from '../../host/wire/encode-v1.js';
import { encodeSeriesKey } from '../../host/series/series-key.js';
import { V2Encoder } from '../../host/wire/encode-v2.js';
import { ProtoWriter } from '../../host/wire/encode-writer.js';

interface Case {
  series: Labels[];
  batch: SampleBatch;
}

const labelSet = fc
  .dictionary(fc.stringMatching(/^[a-z_][a-z0-9_]{0,8}$/), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }), { minKeys: 1, maxKeys: 6 })
  .map((r) => labelsFromRecord(r));

const caseArb: fc.Arbitrary<Case> = fc.array(labelSet, { minLength: 1, maxLength: 8 }).chain((series) =>
  fc
    .array(
      fc.tuple(
        fc.nat(series.length - 1),
        fc.oneof(fc.integer({ min: -1e13, max: 1e13 }), fc.constant(0), fc.constant(Date.UTC(2026, 0, 1))),
        fc.oneof(fc.double(), fc.constant(STALE_NAN)),
      ),
      { maxLength: 60 },
    )
    .map((rows) => ({
      series,
      batch: {
        tenant: DEFAULT_TENANT,
        length: rows.length,
        refs: Uint32Array.from(rows.map((r) => r[0])),
        ts: Float64Array.from(rows.map((r) => r[1])),
        values: Float64Array.from(rows.map((r) => r[2])),
      },
    })),
);

function encodeV1(c: Case, start = 0, end = c.batch.length): Uint8Array {
  const w = new ProtoWriter(16);
  const cache = c.series.map(encodeLabelsV1);
  writeRequestV1(w, c.batch, start, end, (ref) => cache[ref]!);
  return w.view().slice();
}

function encodeV2(c: Case): Uint8Array {
  const w = new ProtoWriter(16);
  new V2Encoder().write(w, c.batch, 0, c.batch.length, (ref) => c.series[ref]!);
  return w.view().slice();
}

/** Series flattened to rows, so encoders that group samples differently compare equal. */
const rows = (body: Uint8Array, protocol: 1 | 2) =>
  decodeReference(body, protocol).flatMap((s) => s.samples.map(([t, v]) => ({ labels: s.labels, t, v })));

const noRepeatedNeighbours = (c: Case) => c.batch.refs.every((r, i) => i === 0 || c.batch.refs[i - 1] !== r);

describe('hand-written remote_write encoders', () => {
  it('v1 bodies decode to the same samples as the protobufjs reference', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        expect(rows(encodeV1(c), 1)).toEqual(rows(encodeV1Reference(c.batch, 0, c.batch.length, (r) => c.series[r]!), 1));
      }),
    );
  });

  it('v2 bodies decode to the same samples as the protobufjs reference', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        expect(rows(encodeV2(c), 2)).toEqual(rows(encodeV2Reference(c.batch, 0, c.batch.length, (r) => c.series[r]!), 2));
      }),
    );
  });

  it('v1 bodies are byte-identical to protobufjs when no series repeats in neighbouring rows', () => {
    fc.assert(
      fc.property(caseArb.filter(noRepeatedNeighbours), (c) => {
        const labelsOf = (r: number) => c.series[r]!;
        expect(Buffer.from(encodeV1(c))).toEqual(Buffer.from(encodeV1Reference(c.batch, 0, c.batch.length, labelsOf)));
      }),
    );
  });

  it('v1 bodies written one after another form one request holding every row', () => {
    fc.assert(
      fc.property(caseArb, fc.nat(), (c, cut) => {
        const mid = c.batch.length === 0 ? 0 : cut % c.batch.length;
        const joined = Buffer.concat([encodeV1(c, 0, mid), encodeV1(c, mid)]);
        expect(rows(joined, 1)).toEqual(rows(encodeV1(c), 1));
      }),
    );
  });

  it('v1 label bytes made from the canonical series key equal those made from label strings', () => {
    fc.assert(
      fc.property(labelSet, (labels) => {
        expect(Buffer.from(labelsV1FromKey(encodeSeriesKey(labels)))).toEqual(Buffer.from(encodeLabelsV1(labels)));
      }),
    );
  });

  it('keeps the stale marker NaN bit-exact in both protocols', () => {
    const c: Case = {
      series: [labelsFromRecord({ __name__: 'up', job: 'a' })],
      batch: { tenant: DEFAULT_TENANT, length: 1, refs: Uint32Array.of(0), ts: Float64Array.of(1000), values: Float64Array.of(STALE_NAN) },
    };
    const staleBytes = Buffer.from([0x02, 0, 0, 0, 0, 0, 0xf0, 0x7f]);
    for (const body of [encodeV1(c), encodeV2(c)]) {
      const at = Buffer.from(body).indexOf(staleBytes);
      expect(at).toBeGreaterThan(0);
      expect(body[at - 1]).toBe(0x09);
    }
  });

  it('groups consecutive rows of one series into one TimeSeries', () => {
    const c: Case = {
      series: [labelsFromRecord({ __name__: 'a' }), labelsFromRecord({ __name__: 'b' })],
      batch: { tenant: DEFAULT_TENANT, length: 4, refs: Uint32Array.of(0, 0, 1, 0), ts: Float64Array.of(1, 2, 3, 4), values: Float64Array.of(1, 2, 3, 4) },
    };
    expect(decodeReference(encodeV1(c), 1).map((s) => s.samples.length)).toEqual([2, 1, 1]);
    expect(decodeReference(encodeV2(c), 2).map((s) => s.samples.length)).toEqual([2, 1, 1]);
  });

  it('snappy-compressed bodies come back byte for byte', () => {
    fc.assert(fc.property(caseArb, (c) => {
      const body = encodeV1(c);
      expect(Buffer.from(snappyDecompress(snappyCompress(body), 1 << 30))).toEqual(Buffer.from(body));
    }));
  });
});
