// Snappy block decompression (the format remote_write bodies use). Mirrors host/wire/snappy.ts, which
// is its reference; every bound is checked, and a corrupt block returns a negative code instead of
// reading or writing outside the two buffers. Shared by the snappy kernel and the series-index
// kernel, which decodes remote_write bodies in its own memory.

/** Error codes; the host turns them into messages. */
export const ERR_LITERAL_LENGTH: i32 = -1;
export const ERR_LITERAL_INPUT: i32 = -2;
export const ERR_LITERAL_OUTPUT: i32 = -3;
export const ERR_COPY_TRUNCATED: i32 = -4;
export const ERR_COPY_OFFSET: i32 = -5;
export const ERR_COPY_OUTPUT: i32 = -6;
export const ERR_SHORT: i32 = -7;

/**
 * Copies len bytes (at most 64) a word at a time, spilling up to 7 bytes past dst + len and reading
 * as far past src + len: memory.copy is a call out of compiled code in V8, slower than the copy
 * itself at the lengths snappy elements have. Callers check the spill stays inside both buffers.
 */
// @ts-ignore: decorator
@inline function wordCopy(dst: usize, src: usize, len: usize): void {
  for (let i: usize = 0; i < len; i += 8) store<u64>(dst + i, load<u64>(src + i));
}

/**
 * Decompresses the block at src[0, n) into dst[0, total), where `total` is the length its
 * preamble declares (checked by the host against its limit). Returns `total` or an error code.
 */
export function decompress(src: usize, n: usize, dst: usize, total: usize): i32 {
  let p: usize = 0;
  while (p < n && load<u8>(src + p) >= 0x80) p++;
  p++;
  let o: usize = 0;
  while (p < n) {
    const tag = <usize>load<u8>(src + p);
    p++;
    const kind = tag & 3;
    if (kind == 0) {
      let len = tag >> 2;
      if (len >= 60) {
        const extra = len - 59;
        if (p + extra > n) return ERR_LITERAL_LENGTH;
        len = <usize>load<u8>(src + p);
        if (extra > 1) len |= <usize>load<u8>(src + p + 1) << 8;
        if (extra > 2) len |= <usize>load<u8>(src + p + 2) << 16;
        if (extra > 3) len |= <usize>load<u8>(src + p + 3) << 24;
        p += extra;
        // A 4-byte length of 0xffffffff would wrap to 0 below.
        if (len == <usize>0xffffffff) return ERR_LITERAL_INPUT;
      }
      len += 1;
      if (len > n - p) return ERR_LITERAL_INPUT;
      if (len > total - o) return ERR_LITERAL_OUTPUT;
      if (len <= 64 && p + 64 <= n && o + 64 <= total) wordCopy(dst + o, src + p, len);
      else memory.copy(dst + o, src + p, len);
      p += len;
      o += len;
      continue;
    }
    let len: usize;
    let offset: usize;
    if (kind == 1) {
      if (p >= n) return ERR_COPY_TRUNCATED;
      len = ((tag >> 2) & 7) + 4;
      offset = ((tag >> 5) << 8) | <usize>load<u8>(src + p);
      p += 1;
    } else if (kind == 2) {
      if (p + 2 > n) return ERR_COPY_TRUNCATED;
      len = (tag >> 2) + 1;
      offset = <usize>load<u16>(src + p);
      p += 2;
    } else {
      if (p + 4 > n) return ERR_COPY_TRUNCATED;
      len = (tag >> 2) + 1;
      offset = <usize>load<u32>(src + p);
      p += 4;
    }
    if (offset == 0 || offset > o) return ERR_COPY_OFFSET;
    if (len > total - o) return ERR_COPY_OUTPUT;
    const to = dst + o;
    if (offset >= 8 && o + 72 <= total) {
      // Whole words, 8 bytes apart or more, so each reads only bytes already written (which also
      // repeats an overlapping pattern correctly); the last may spill up to 7 bytes past the copy,
      // which later elements overwrite, and which the bound keeps inside the output.
      wordCopy(to, to - offset, len);
    } else if (offset >= len) {
      memory.copy(to, to - offset, len);
    } else if (offset >= 8) {
      let i: usize = 0;
      for (; i + 8 <= len; i += 8) store<u64>(to + i, load<u64>(to - offset + i));
      for (; i < len; i++) store<u8>(to + i, load<u8>(to - offset + i));
    } else {
      for (let i: usize = 0; i < len; i++) store<u8>(to + i, load<u8>(to - offset + i));
    }
    o += len;
  }
  if (o != total) return ERR_SHORT;
  return <i32>o;
}
