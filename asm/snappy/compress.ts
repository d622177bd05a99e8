// Snappy block compression, the same algorithm and therefore the same bytes as
// host/wire/encode-snappy.ts (its reference): 64 KiB fragments, a table of 4-byte sequences'
// last positions, literal and copy elements, skipping faster through data that does not compress.
// The table lives in memory the host reserved once; nothing is allocated per call.

const FRAGMENT: usize = 1 << 16;
const MAX_TABLE_BITS: u32 = 14;
const INPUT_MARGIN: usize = 15;
const HASH_MUL: u32 = 0x1e35a7bd;

/** Bytes of table compress() needs, reserved by the host. */
export const TABLE_BYTES: usize = (<usize>1 << MAX_TABLE_BITS) << 1;

/** Worst-case compressed size of n bytes: what the host reserves for dst. */
export function compress_bound(n: usize): usize {
  return 32 + n + n / 6;
}

/** Compresses src[0, n) into dst (compress_bound(n) bytes); returns the compressed length. */
export function compress(src: usize, n: usize, dst: usize, table: usize): usize {
  let op: usize = 0;
  let v = n;
  while (v >= 0x80) {
    store<u8>(dst + op++, <u8>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  store<u8>(dst + op++, <u8>v);
  for (let start: usize = 0; start < n; start += FRAGMENT) {
    const end = min(start + FRAGMENT, n);
    let bits: u32 = 8;
    while ((<usize>1 << bits) < end - start && bits < MAX_TABLE_BITS) bits++;
    memory.fill(table, 0, (<usize>1 << bits) << 1);
    op = fragment(src, start, end, dst, op, table, 32 - bits);
  }
  return op;
}

// @ts-ignore: decorator
@inline function hashAt(src: usize, p: usize, shift: u32): usize {
  return <usize>((load<u32>(src + p) * HASH_MUL) >>> shift);
}

function fragment(src: usize, start: usize, end: usize, dst: usize, op: usize, table: usize, shift: u32): usize {
  let ip = start;
  let nextEmit = start;
  if (end - start >= INPUT_MARGIN) {
    const ipLimit = end - INPUT_MARGIN;
    let nextHash = hashAt(src, ++ip, shift);
    while (true) {
      // Look for a 4-byte match, stepping further apart the longer nothing matches.
      let skip: u32 = 32;
      let nextIp = ip;
      let candidate: usize = 0;
      let found = false;
      do {
        ip = nextIp;
        const h = nextHash;
        nextIp = ip + <usize>(skip++ >> 5);
        if (nextIp > ipLimit) break;
        nextHash = hashAt(src, nextIp, shift);
        candidate = start + <usize>load<u16>(table + (h << 1));
        store<u16>(table + (h << 1), <u16>(ip - start));
        found = load<u32>(src + ip) == load<u32>(src + candidate);
      } while (!found);
      if (!found) break;
      op = literal(src, nextEmit, ip - nextEmit, dst, op);
      // Emit copies for as long as the next position matches too.
      let done = false;
      do {
        const base = ip;
        // 8 bytes at a time, the first differing byte found by its bits: the same length as a
        // byte-wise scan, in a third less time on remote_write bodies, whose matches are long.
        let matched: usize = 4;
        let differs = false;
        while (ip + matched + 8 <= end) {
          const x = load<u64>(src + candidate + matched) ^ load<u64>(src + ip + matched);
          if (x != 0) {
            matched += <usize>(ctz<u64>(x) >> 3);
            differs = true;
            break;
          }
          matched += 8;
        }
        if (!differs) while (ip + matched < end && load<u8>(src + candidate + matched) == load<u8>(src + ip + matched)) matched++;
        ip += matched;
        op = copy(dst, op, base - candidate, matched);
        nextEmit = ip;
        if (ip >= ipLimit) {
          done = true;
          break;
        }
        store<u16>(table + (hashAt(src, ip - 1, shift) << 1), <u16>(ip - 1 - start));
        const here = hashAt(src, ip, shift);
        candidate = start + <usize>load<u16>(table + (here << 1));
        store<u16>(table + (here << 1), <u16>(ip - start));
      } while (load<u32>(src + ip) == load<u32>(src + candidate));
      if (done) break;
      nextHash = hashAt(src, ++ip, shift);
    }
  }
  if (nextEmit < end) op = literal(src, nextEmit, end - nextEmit, dst, op);
  return op;
}

function literal(src: usize, from: usize, len: usize, dst: usize, op: usize): usize {
  const n = len - 1;
  if (n < 60) {
    store<u8>(dst + op++, <u8>(n << 2));
  } else if (n < 256) {
    store<u8>(dst + op++, <u8>(60 << 2));
    store<u8>(dst + op++, <u8>n);
  } else {
    store<u8>(dst + op++, <u8>(61 << 2));
    store<u8>(dst + op++, <u8>(n & 0xff));
    store<u8>(dst + op++, <u8>(n >> 8));
  }
  memory.copy(dst + op, src + from, len);
  return op + len;
}

function copy(dst: usize, op: usize, offset: usize, len: usize): usize {
  while (len >= 68) {
    op = copyUpTo64(dst, op, offset, 64);
    len -= 64;
  }
  if (len > 64) {
    op = copyUpTo64(dst, op, offset, 60);
    len -= 60;
  }
  return copyUpTo64(dst, op, offset, len);
}

function copyUpTo64(dst: usize, op: usize, offset: usize, len: usize): usize {
  if (len < 12 && offset < 2048) {
    store<u8>(dst + op, <u8>(1 | ((len - 4) << 2) | ((offset >> 8) << 5)));
    store<u8>(dst + op + 1, <u8>(offset & 0xff));
    return op + 2;
  }
  store<u8>(dst + op, <u8>(2 | ((len - 1) << 2)));
  store<u8>(dst + op + 1, <u8>(offset & 0xff));
  store<u8>(dst + op + 2, <u8>(offset >> 8));
  return op + 3;
}
