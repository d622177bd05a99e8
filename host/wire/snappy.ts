import { TooLargeError } from '../errors.js';
import { WireError } from './wire-error.js';

/**
 * Snappy block format (not the framing format), as remote_write requires: a varint with the
 * uncompressed length, then literals and back-references. This is the reference of the asm/snappy
 * kernel (snappy-wasm.ts), which the remote_write source uses; it is also the fallback when the
 * kernel cannot load, and on its own measured faster than snappyjs (bench/remote-write-decode).
 * Both check the declared size against the limit before allocating anything, so a 30-byte body
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

/** The declared uncompressed size, refused with TooLargeError (413) when over `maxBytes`. */
export function snappyLengthWithin(src: Uint8Array, maxBytes: number): number {
  const total = snappyDeclaredLength(src);
  if (total > maxBytes) throw new TooLargeError(`snappy body declares ${total} bytes uncompressed, over the limit of ${maxBytes}`);
  return total;
}

/**
 * Decompresses a snappy block. Answers TooLargeError (413) when the declared size is over
 * `maxBytes`, BadInputError (400) for any corruption: an offset before the start, a copy or
 * literal past the end, or output shorter than declared.
 */
export function snappyDecompress(src: Uint8Array, maxBytes: number): Uint8Array {
  const total = snappyLengthWithin(src, maxBytes);
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
        if (p + extra > n) throw snappyError(-1);
        len = src[p]!;
        if (extra > 1) len |= src[p + 1]! << 8;
        if (extra > 2) len |= src[p + 2]! << 16;
        if (extra > 3) len = (len | (src[p + 3]! << 24)) >>> 0;
        p += extra;
      }
      len += 1;
      if (len > n - p) throw snappyError(-2);
      if (len > total - o) throw snappyError(-3);
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
      if (p >= n) throw snappyError(-4);
      len = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | src[p++]!;
    } else if (kind === 2) {
      if (p + 2 > n) throw snappyError(-4);
      len = (tag >>> 2) + 1;
      offset = src[p]! | (src[p + 1]! << 8);
      p += 2;
    } else {
      if (p + 4 > n) throw snappyError(-4);
      len = (tag >>> 2) + 1;
      offset = (src[p]! | (src[p + 1]! << 8) | (src[p + 2]! << 16) | (src[p + 3]! << 24)) >>> 0;
      p += 4;
    }
    if (offset === 0 || offset > o) throw snappyError(-5);
    if (len > total - o) throw snappyError(-6);
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
  if (o !== total) throw snappyError(-7);
  return out;
}

/**
 * Why a block is corrupt, by the code asm/snappy returns for it: the kernel and this reference
 * refuse the same blocks with the same words.
 */
export const SNAPPY_ERRORS: Readonly<Record<number, string>> = {
  [-1]: 'literal length is truncated',
  [-2]: 'literal runs past the end of the input',
  [-3]: 'literal runs past the declared length',
  [-4]: 'copy offset is truncated',
  [-5]: 'copy offset points before the start of the output',
  [-6]: 'copy runs past the declared length',
  [-7]: 'output is shorter than the preamble declared',
};

/** The error for a kernel or reference error code. */
export function snappyError(code: number): WireError {
  return new WireError('snappy', `bad snappy: ${SNAPPY_ERRORS[code] ?? `error ${code}`}`);
}
