import type { SampleBatch } from '../batch/sample-batch.js';
import type { Labels } from '../series/labels.js';
import { ProtoWriter, sampleSize, varintSize } from './encode-writer.js';

/**
 * Hand encoding of remote_write 1.0 (`prometheus.WriteRequest`): no JavaScript object per sample.
 * WriteRequest.timeseries = 1; TimeSeries.labels = 1, samples = 2; Label.name = 1, value = 2;
 * Sample.value = 1 (double), timestamp = 2 (int64 ms).
 */

const utf8 = new TextEncoder();

/**
 * A series' labels as the bytes of its TimeSeries.labels fields. Sinks cache this per ref, so a
 * series is turned into bytes once, not once per sample.
 */
export function encodeLabelsV1(labels: Labels): Uint8Array {
  const parts = labels.map((l) => [utf8.encode(l.name), utf8.encode(l.value)] as const);
  let size = 0;
  for (const [n, v] of parts) size += labelSize(n.length, v.length);
  const w = new ProtoWriter(size);
  for (const [n, v] of parts) {
    w.buf[w.pos++] = 0x0a;
    w.varint(1 + varintSize(n.length) + n.length + 1 + varintSize(v.length) + v.length);
    w.buf[w.pos++] = 0x0a;
    w.varint(n.length);
    w.bytes(n);
    w.buf[w.pos++] = 0x12;
    w.varint(v.length);
    w.bytes(v);
  }
  return w.buf;
}

function labelSize(nameLen: number, valueLen: number): number {
  const inner = 1 + varintSize(nameLen) + nameLen + 1 + varintSize(valueLen) + valueLen;
  return 1 + varintSize(inner) + inner;
}

/**
 * Appends the TimeSeries of rows [start, end) of `batch` to `w`, making a WriteRequest body (a
 * WriteRequest is nothing but its repeated fields, so bodies written one after the other are one
 * valid WriteRequest). Consecutive rows of one series share a TimeSeries.
 */
export function writeRequestV1(w: ProtoWriter, batch: SampleBatch, start: number, end: number, labelBytes: (ref: number) => Uint8Array): void {
  const { refs, ts, values } = batch;
  // The values' own bytes: copying them keeps every NaN payload (the stale marker) bit-exact.
  const valueBytes = new Uint8Array(values.buffer, values.byteOffset, values.length * 8);
  let i = start;
  while (i < end) {
    const ref = refs[i]!;
    let j = i + 1;
    while (j < end && refs[j] === ref) j++;
    const lb = labelBytes(ref);
    let size = lb.length;
    for (let k = i; k < j; k++) size += 2 + sampleSize(Math.trunc(ts[k]!));
    w.ensure(1 + varintSize(size) + size);
    w.buf[w.pos++] = 0x0a;
    w.varint(size);
    w.buf.set(lb, w.pos);
    w.pos += lb.length;
    for (let k = i; k < j; k++) writeSample(w, valueBytes, k, Math.trunc(ts[k]!));
    i = j;
  }
}

/** A Sample field (tag 2 in both protocol versions); the caller has ensured room. */
export function writeSample(w: ProtoWriter, valueBytes: Uint8Array, row: number, t: number): void {
  const buf = w.buf;
  buf[w.pos++] = 0x12;
  buf[w.pos++] = sampleSize(t);
  buf[w.pos++] = 0x09;
  w.fixed64From(valueBytes, row * 8);
  buf[w.pos++] = 0x10;
  w.int64(t);
}
