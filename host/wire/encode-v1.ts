import type { SampleBatch } from '../batch/sample-batch.js';
import type { Labels } from '../series/labels.js';
import { ProtoWriter, sampleSize, varintSize } from './encode-writer.js';

/**
 * Hand encoding of remote_write 1.0 (`prometheus.WriteRequest`): no JavaScript object per sample.
 * WriteRequest.timeseries = 1; TimeSeries.labels = 1, samples = 2; Label.name = 1, value = 2;
 * Sample.value = 1 (double), timestamp = 2 (int64 ms).
 */

const utf8 = new TextEncoder();
const scratch = new ProtoWriter(4096);

/**
 * A series' labels as the bytes of its TimeSeries.labels fields. Sinks cache this per ref, so a
 * series is turned into bytes once, not once per sample.
 */
export function encodeLabelsV1(labels: Labels): Uint8Array {
  scratch.reset();
  for (const l of labels) {
    const name = utf8Bytes(l.name, asciiName);
    const value = utf8Bytes(l.value, asciiValue);
    scratch.ensure(labelSize(name.length, value.length));
    scratch.buf[scratch.pos++] = 0x0a;
    scratch.varint(1 + varintSize(name.length) + name.length + 1 + varintSize(value.length) + value.length);
    scratch.buf[scratch.pos++] = 0x0a;
    scratch.varint(name.length);
    scratch.bytes(name);
    scratch.buf[scratch.pos++] = 0x12;
    scratch.varint(value.length);
    scratch.bytes(value);
  }
  return scratch.view().slice();
}

/**
 * The same bytes from the series index's canonical key (series-key.ts: per label varint(len) name
 * varint(len) value): one pass over bytes, no strings, for indexes that keep keys.
 */
export function labelsV1FromKey(key: Uint8Array): Uint8Array {
  scratch.reset();
  let p = 0;
  while (p < key.length) {
    const [nameLen, nameAt] = readVarint(key, p);
    const [valueLen, valueAt] = readVarint(key, nameAt + nameLen);
    scratch.ensure(labelSize(nameLen, valueLen));
    scratch.buf[scratch.pos++] = 0x0a;
    scratch.varint(1 + varintSize(nameLen) + nameLen + 1 + varintSize(valueLen) + valueLen);
    scratch.buf[scratch.pos++] = 0x0a;
    scratch.varint(nameLen);
    scratch.bytes(key.subarray(nameAt, nameAt + nameLen));
    scratch.buf[scratch.pos++] = 0x12;
    scratch.varint(valueLen);
    scratch.bytes(key.subarray(valueAt, valueAt + valueLen));
    p = valueAt + valueLen;
  }
  return scratch.view().slice();
}

function readVarint(buf: Uint8Array, p: number): [number, number] {
  let n = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    if (p >= buf.length) break;
    const b = buf[p++]!;
    n += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return [n, p];
  }
  throw new RangeError('series key is truncated');
}

const asciiName = new Uint8Array(256);
const asciiValue = new Uint8Array(256);

/**
 * UTF-8 bytes of a label string; ASCII (nearly every label) is copied into `ascii` (a view of it is
 * returned), skipping TextEncoder's per-call cost, which dominated encoding new series.
 */
function utf8Bytes(s: string, ascii: Uint8Array): Uint8Array {
  if (s.length <= ascii.length) {
    let i = 0;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      ascii[i] = c;
    }
    if (i === s.length) return ascii.subarray(0, i);
  }
  return utf8.encode(s);
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
