import snappy from 'snappyjs';
import { RequestV2, WriteRequestV1 } from '../../host/wire/remote-write-schema.js';

/** A series as tests write it: labels in the order given (so tests can send them unsorted). */
export interface TestSeries {
  labels: [string, string][];
  samples?: [ts: number, value: number][];
  exemplars?: { labels: [string, string][]; value: number; ts: number }[];
  histograms?: Record<string, unknown>[];
}

/** The protobuf bytes of a remote_write 1.0 WriteRequest, encoded by protobufjs. */
export function encodeV1(series: TestSeries[], metadata: Record<string, unknown>[] = []): Uint8Array {
  const msg = WriteRequestV1.fromObject({
    timeseries: series.map((s) => ({
      labels: s.labels.map(([name, value]) => ({ name, value })),
      samples: (s.samples ?? []).map(([timestamp, value]) => ({ timestamp, value })),
      exemplars: (s.exemplars ?? []).map((e) => ({ labels: e.labels.map(([name, value]) => ({ name, value })), value: e.value, timestamp: e.ts })),
      histograms: s.histograms ?? [],
    })),
    metadata,
  });
  return WriteRequestV1.encode(msg).finish();
}

export interface TestSeriesV2 extends TestSeries {
  metadata?: { type: number; help: string; unit: string };
  startTimestamp?: number;
}

/** The protobuf bytes of a remote_write 2.0 Request with a symbols table built here. */
export function encodeV2(series: TestSeriesV2[]): Uint8Array {
  const symbols = [''];
  const index = new Map<string, number>([['', 0]]);
  const ref = (s: string): number => {
    let r = index.get(s);
    if (r === undefined) {
      r = symbols.length;
      symbols.push(s);
      index.set(s, r);
    }
    return r;
  };
  const refs = (labels: [string, string][]): number[] => labels.flatMap(([n, v]) => [ref(n), ref(v)]);
  const timeseries = series.map((s) => ({
    labelsRefs: refs(s.labels),
    samples: (s.samples ?? []).map(([timestamp, value]) => ({ timestamp, value, ...(s.startTimestamp ? { startTimestamp: s.startTimestamp } : {}) })),
    exemplars: (s.exemplars ?? []).map((e) => ({ labelsRefs: refs(e.labels), value: e.value, timestamp: e.ts })),
    histograms: s.histograms ?? [],
    ...(s.metadata ? { metadata: { type: s.metadata.type, helpRef: ref(s.metadata.help), unitRef: ref(s.metadata.unit) } } : {}),
  }));
  return RequestV2.encode(RequestV2.fromObject({ symbols, timeseries })).finish();
}

/** Snappy block compression by snappyjs, as Prometheus sends it. */
export function snappyCompress(raw: Uint8Array): Uint8Array {
  return new Uint8Array(snappy.compress(raw));
}

export const V2_CONTENT_TYPE = 'application/x-protobuf;proto=io.prometheus.write.v2.Request';

/**
 * Replaces every encoded `sentinel` double in a protobuf body with the raw 64-bit pattern `bits`.
 * protobufjs quiets signalling NaNs when it encodes (the stale marker comes out as
 * 0x7ff8000000000002), so tests that check bit-exactness write the value bytes themselves.
 */
export function replaceDouble(raw: Uint8Array, sentinel: number, bits: bigint): Uint8Array {
  const out = raw.slice();
  const want = new Uint8Array(new Float64Array([sentinel]).buffer);
  const put = new Uint8Array(new BigUint64Array([bits]).buffer);
  let replaced = 0;
  for (let i = 0; i + 8 <= out.length; i++) {
    if (want.every((b, j) => out[i + j] === b)) {
      out.set(put, i);
      replaced++;
    }
  }
  if (replaced === 0) throw new Error(`sentinel ${sentinel} not found in the body`);
  return out;
}
