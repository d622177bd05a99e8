import type { Label, Labels } from './labels.js';

/**
 * The canonical bytes of a label set, the key the series index hashes and stores:
 * for each label in name order, varint(len(name)) name varint(len(value)) value, all UTF-8.
 * Decoders of remote_write v1/v2 and of the text format write it straight from the bytes they
 * read, so a series seen before never becomes JavaScript strings.
 */
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeSeriesKey(labels: Labels): Uint8Array {
  const parts = labels.map((l) => [encoder.encode(l.name), encoder.encode(l.value)] as const);
  let size = 0;
  for (const [n, v] of parts) size += varintSize(n.length) + n.length + varintSize(v.length) + v.length;
  const out = new Uint8Array(size);
  let p = 0;
  for (const [n, v] of parts) {
    p = writeVarint(out, p, n.length);
    out.set(n, p);
    p += n.length;
    p = writeVarint(out, p, v.length);
    out.set(v, p);
    p += v.length;
  }
  return out;
}

export function decodeSeriesKey(key: Uint8Array, start = 0, end = key.length): Label[] {
  const labels: Label[] = [];
  let p = start;
  while (p < end) {
    const [nameLen, p1] = readVarint(key, p);
    const name = decoder.decode(key.subarray(p1, p1 + nameLen));
    const [valueLen, p2] = readVarint(key, p1 + nameLen);
    const value = decoder.decode(key.subarray(p2, p2 + valueLen));
    labels.push({ name, value });
    p = p2 + valueLen;
  }
  if (p !== end) throw new RangeError('series key is truncated');
  return labels;
}

export function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n >>>= 7;
    size++;
  }
  return size;
}

export function writeVarint(out: Uint8Array, p: number, n: number): number {
  while (n >= 0x80) {
    out[p++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  out[p++] = n;
  return p;
}

function readVarint(buf: Uint8Array, p: number): [number, number] {
  let n = 0;
  let shift = 0;
  for (;;) {
    if (p >= buf.length) throw new RangeError('series key is truncated');
    const b = buf[p++]!;
    n += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return [n, p];
    shift += 7;
    if (shift > 28) throw new RangeError('series key varint too long');
  }
}
