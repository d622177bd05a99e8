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

/**
 * A snappy block of literals only, each with a two-byte length whatever its size: valid, but not
 * what any compressor writes, so a test can tell bytes passed on as received from the same
 * content compressed again.
 */
export function snappyLiterals(raw: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let n = raw.length; ; n = Math.floor(n / 128)) {
    if (n < 128) {
      out.push(n);
      break;
    }
    out.push((n & 0x7f) | 0x80);
  }
  for (let at = 0; at < raw.length; at += 60 * 1024) {
    const len = Math.min(60 * 1024, raw.length - at) - 1;
    // Tag 61 << 2: a literal whose length - 1 follows in two bytes.
    out.push(61 << 2, len & 0xff, len >>> 8, ...raw.subarray(at, at + len + 1));
  }
  return Uint8Array.from(out);
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
