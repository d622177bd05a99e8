import { TooLargeError } from '../errors.js';
import { WireError } from './wire-error.js';

/**
 * Snappy block format (not the framing format), as remote_write requires: a varint with the
 * uncompressed length, then literals and back-references. Hand-written because it measured
 * faster than snappyjs on remote_write bodies (bench/remote-write-decode.bench.ts), and because it
 * checks the declared size against the limit before allocating anything, so a 30-byte body
 * claiming 4 GiB costs nothing.
 */

/** The uncompressed size a snappy block declares; throws WireError when the preamble is bad. */
export function snappyDeclaredLength(src: Uint8Array): number {
  let n = 0;
  let shift = 0;
  for (let p = 0; ; p++) {
    if (p >= src.length) throw new WireError('snappy', 'bad snappy: truncated length preamble');
    const b = src[p]!;
    if (shift === 28 && b > 0x0f) throw new WireError('snappy', 'bad snappy: length preamble over 32 bits');
    n += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return n;
    shift += 7;
  }
}

/**
 * Decompresses a snappy block. Answers TooLargeError (413) when the declared size is over
 * `maxBytes`, BadInputError (400) for any corruption: an offset before the start, a copy or
 * literal past the end, or output shorter than declared.
 */
export function snappyDecompress(src: Uint8Array, maxBytes: number): Uint8Array {
  const total = snappyDeclaredLength(src);
  if (total > maxBytes) throw new TooLargeError(`snappy body declares ${total} bytes uncompressed, over the limit of ${maxBytes}`);
  let p = 0;
  while (src[p]! >= 0x80) p++;
  p++;
  const out = new Uint8Array(total);
  const n = src.length;
  let o = 0;
  while (p < n) {
    const tag = src[p++]!;
    const kind = tag & 3;
    if (kind === 0) {
      let len = tag >>> 2;
      if (len >= 60) {
        const extra = len - 59;
        if (p + extra > n) throw bad('literal length is truncated');
        len = src[p]!;
        if (extra > 1) len |= src[p + 1]! << 8;
        if (extra > 2) len |= src[p + 2]! << 16;
        if (extra > 3) len = (len | (src[p + 3]! << 24)) >>> 0;
        p += extra;
      }
      len += 1;
      if (len > n - p) throw bad('literal runs past the end of the input');
      if (len > total - o) throw bad('literal runs past the declared length');
      if (len < 16) {
        for (let i = 0; i < len; i++) out[o + i] = src[p + i]!;
      } else out.set(src.subarray(p, p + len), o);
      p += len;
      o += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (kind === 1) {
      if (p >= n) throw bad('copy offset is truncated');
      len = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | src[p++]!;
    } else if (kind === 2) {
      if (p + 2 > n) throw bad('copy offset is truncated');
      len = (tag >>> 2) + 1;
      offset = src[p]! | (src[p + 1]! << 8);
      p += 2;
    } else {
      if (p + 4 > n) throw bad('copy offset is truncated');
      len = (tag >>> 2) + 1;
      offset = (src[p]! | (src[p + 1]! << 8) | (src[p + 2]! << 16) | (src[p + 3]! << 24)) >>> 0;
      p += 4;
    }
    if (offset === 0 || offset > o) throw bad(`copy offset ${offset} points before the start of the output`);
    if (len > total - o) throw bad('copy runs past the declared length');
    if (offset >= len && len > 32) {
      out.copyWithin(o, o - offset, o - offset + len);
      o += len;
    } else {
      // Overlapping copies repeat a pattern byte by byte, as the format intends.
      let from = o - offset;
      const stop = o + len;
      while (o < stop) out[o++] = out[from++]!;
    }
  }
  if (o !== total) throw bad(`output is ${o} bytes, the preamble declared ${total}`);
  return out;
}

function bad(why: string): WireError {
  return new WireError('snappy', `bad snappy: ${why}`);
}
