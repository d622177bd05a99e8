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
  // Nearly every label is ASCII, whose UTF-8 bytes are its char codes: written directly, because
  // TextEncoder's per-call cost was most of the time spent on series seen for the first time.
  const utf8: (Uint8Array | undefined)[] = new Array(labels.length * 2);
  let size = 0;
  for (let i = 0; i < labels.length; i++) {
    const { name, value } = labels[i]!;
    const n = (utf8[2 * i] = nonAscii(name))?.length ?? name.length;
    const v = (utf8[2 * i + 1] = nonAscii(value))?.length ?? value.length;
    size += varintSize(n) + n + varintSize(v) + v;
  }
  const out = new Uint8Array(size);
  let p = 0;
  for (let i = 0; i < labels.length; i++) {
    p = writeString(out, p, labels[i]!.name, utf8[2 * i]);
    p = writeString(out, p, labels[i]!.value, utf8[2 * i + 1]);
  }
  return out;
}

/** The UTF-8 bytes of a string that is not all ASCII; undefined for one that is. */
function nonAscii(s: string): Uint8Array | undefined {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return encoder.encode(s);
  return undefined;
}

/** varint(length) and the bytes: `utf8` when given, else the (ASCII) char codes of `s`. */
function writeString(out: Uint8Array, p: number, s: string, utf8: Uint8Array | undefined): number {
  if (utf8) {
    p = writeVarint(out, p, utf8.length);
    out.set(utf8, p);
    return p + utf8.length;
  }
  p = writeVarint(out, p, s.length);
  for (let i = 0; i < s.length; i++) out[p + i] = s.charCodeAt(i);
  return p + s.length;
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
