import type { SampleBatch } from '../batch/sample-batch.js';
import type { Labels } from '../series/labels.js';
import { RequestV2, WriteRequestV1 } from './remote-write-schema.js';

/**
 * The plain reference the hand encoders are checked and benchmarked against: the protobufjs
 * schema of record (remote-write-schema.ts) and an encoder that builds one JavaScript object per
 * series and sample, as a straightforward implementation would.
 */
export { RequestV2, WriteRequestV1 };

/** Rows [start, end) as a v1 WriteRequest, through protobufjs objects. */
export function encodeV1Reference(batch: SampleBatch, start: number, end: number, labelsOf: (ref: number) => Labels): Uint8Array {
  const timeseries = [];
  for (let i = start; i < end; i++) {
    timeseries.push({
      labels: labelsOf(batch.refs[i]!).map((l) => ({ name: l.name, value: l.value })),
      samples: [{ value: batch.values[i]!, timestamp: batch.ts[i]! }],
    });
  }
  return WriteRequestV1.encode(WriteRequestV1.fromObject({ timeseries })).finish();
}

/** Rows [start, end) as a v2 Request, through protobufjs objects. */
export function encodeV2Reference(batch: SampleBatch, start: number, end: number, labelsOf: (ref: number) => Labels): Uint8Array {
  const symbols = [''];
  const ids = new Map<string, number>([['', 0]]);
  const sym = (s: string) => {
    let id = ids.get(s);
    if (id === undefined) {
      id = symbols.push(s) - 1;
      ids.set(s, id);
    }
    return id;
  };
  const timeseries = [];
  for (let i = start; i < end; i++) {
    timeseries.push({
      labelsRefs: labelsOf(batch.refs[i]!).flatMap((l) => [sym(l.name), sym(l.value)]),
      samples: [{ value: batch.values[i]!, timestamp: batch.ts[i]! }],
    });
  }
  return RequestV2.encode(RequestV2.fromObject({ symbols, timeseries })).finish();
}

export interface DecodedSeries {
  labels: Record<string, string>;
  samples: [number, number][];
}

/** A v1 or v2 body back to plain series (tests use this to compare encoders by meaning). */
export function decodeReference(body: Uint8Array, protocol: 1 | 2): DecodedSeries[] {
  const toNum = (t: unknown) => Number(t ?? 0);
  if (protocol === 1) {
    const msg = WriteRequestV1.toObject(WriteRequestV1.decode(body), { defaults: true }) as {
      timeseries: { labels: { name: string; value: string }[]; samples: { value: number; timestamp: unknown }[] }[];
    };
    return msg.timeseries.map((t) => ({
      labels: Object.fromEntries(t.labels.map((l) => [l.name, l.value])),
      samples: t.samples.map((s) => [toNum(s.timestamp), s.value]),
    }));
  }
  const msg = RequestV2.toObject(RequestV2.decode(body), { defaults: true }) as {
    symbols: string[];
    timeseries: { labelsRefs: number[]; samples: { value: number; timestamp: unknown }[] }[];
  };
  return msg.timeseries.map((t) => {
    const labels: Record<string, string> = {};
    for (let k = 0; k < t.labelsRefs.length; k += 2) labels[msg.symbols[t.labelsRefs[k]!]!] = msg.symbols[t.labelsRefs[k + 1]!]!;
    return { labels, samples: t.samples.map((s) => [toNum(s.timestamp), s.value]) };
  });
}
