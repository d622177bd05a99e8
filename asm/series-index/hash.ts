// A word-at-a-time 64-bit hash of key bytes. A byte-at-a-time hash lost to a JavaScript Map
// (DESIGN.md), so the long part runs four independent 8-byte lanes (the multiplies overlap in
// the CPU) and the tail is one overlapping 8-byte load instead of a byte loop.

const P1: u64 = 0x9e3779b185ebca87;
const P2: u64 = 0xc2b2ae3d27d4eb4f;
const P3: u64 = 0x165667b19e3779f9;
const P4: u64 = 0x85ebca77c2b2ae63;
const P5: u64 = 0x27d4eb2f165667c5;

@inline function lane(acc: u64, w: u64): u64 {
  return rotl<u64>(acc + w * P2, 31) * P1;
}

@inline function fold(h: u64, w: u64): u64 {
  return rotl<u64>(h ^ lane(0, w), 27) * P1 + P4;
}

/** Hash of bytes [p, p + len) under `seed` (the tenant, or the pair dictionary's own seed). */
export function hashBytes(seed: u64, p: usize, len: usize): u64 {
  const end = p + len;
  let h: u64;
  if (len >= 32) {
    let a = seed + P1 + P2;
    let b = seed + P2;
    let c = seed;
    let d = seed - P1;
    const last = end - 32;
    do {
      a = lane(a, load<u64>(p));
      b = lane(b, load<u64>(p, 8));
      c = lane(c, load<u64>(p, 16));
      d = lane(d, load<u64>(p, 24));
      p += 32;
    } while (p <= last);
    h = rotl<u64>(a, 1) + rotl<u64>(b, 7) + rotl<u64>(c, 12) + rotl<u64>(d, 18);
  } else {
    h = seed + P5;
  }
  h += <u64>len;
  while (p + 8 <= end) {
    h = fold(h, load<u64>(p));
    p += 8;
  }
  const rest = end - p;
  if (rest > 0) {
    let w: u64;
    if (len >= 8) {
      // The last 8 bytes of the key, shifted so only the unread ones remain: no read past the end.
      w = load<u64>(end - 8) >> (<u64>(8 - rest) << 3);
    } else {
      w = 0;
      for (let i: usize = 0; i < rest; i++) w |= (<u64>load<u8>(p + i)) << (<u64>i << 3);
    }
    h = fold(h, w ^ P3);
  }
  h ^= h >> 33;
  h *= P2;
  h ^= h >> 29;
  h *= P3;
  h ^= h >> 32;
  return h;
}

/** Whether bytes [a, a + len) equal [b, b + len), compared a word at a time. */
export function bytesEqual(a: usize, b: usize, len: usize): bool {
  if (len < 8) {
    for (let i: usize = 0; i < len; i++) if (load<u8>(a + i) != load<u8>(b + i)) return false;
    return true;
  }
  const last = len - 8;
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    while (i + 16 <= len) {
      if (!v128.all_true<i8>(i8x16.eq(v128.load(a + i), v128.load(b + i)))) return false;
      i += 16;
    }
  }
  while (i < last) {
    if (load<u64>(a + i) != load<u64>(b + i)) return false;
    i += 8;
  }
  return load<u64>(a + last) == load<u64>(b + last);
}

/** The 32-bit table tag of a 64-bit hash. */
@inline export function tagOf(h: u64): u32 {
  return <u32>(h ^ (h >> 32));
}
