// A 64-bit hash of key bytes, 16 bytes per step. A byte-at-a-time hash lost to a JavaScript Map
// (DESIGN.md) and a classic multiply-rotate lane is bound by the latency of its dependent
// multiplies; here every 8-byte word is XORed with a secret and its halves multiplied (32x32->64),
// products of different words independent of each other, summed into two lanes together with the
// neighbouring raw word (so a product that happens to be 0 loses nothing). The SIMD build does a
// step in a handful of v128 instructions; both builds compute the same value.

const P1: u64 = 0x9e3779b185ebca87;
const P2: u64 = 0xc2b2ae3d27d4eb4f;
const P3: u64 = 0x165667b19e3779f9;

/** 256 bytes of secret: word i of a 256-byte round is mixed with SECRET[i]. */
const SECRET: usize = memory.data<u64>([
  0xbe4ba423396cfeb8, 0x1cad21f72c81017c, 0xdb979083e96dd4de, 0x1f67b3b7a4a44072, 0x78e5c0cc4ee679cb, 0x2172ffcc7dd05a82,
  0x8e2443f7744608b8, 0x4c263a81e69035e0, 0xcb00c391bb52283c, 0xa32e531b8b65d088, 0x4ef90da297486471, 0xd8acdea946ef1938,
  0x3f349ce33f76faa8, 0x1d4f0bc7c7bbdcf9, 0x3159b4cd4be0518a, 0x647378d9c97e9fc8, 0xc3ebd33483acc5ea, 0xeb6313faffa081c5,
  0x49daf0b751dd0d17, 0x9e68d429265516d3, 0xfca1477d58be162b, 0xce31d07ad1b8f88f, 0x280416958f3acb45, 0x7e404bbbcafbd7af,
  0x8b7e2d3b8c5c0f3e, 0x2b15a3cc4b5b1d6f, 0x5f9c1d7e3a2b4c6d, 0xa1e3f5c7b9d2e4f6, 0x3c5e7a9b1d2f4e6a, 0xd4f6a8c2e1b3d5f7,
  0x6e8a2c4e6f8a1b3d, 0x97b9d1f3a5c7e9fb,
]);

@inline function mixWord(d: u64, s: u64): u64 {
  const k = d ^ s;
  return (k & 0xffffffff) * (k >> 32);
}

@inline function scramble(acc: u64): u64 {
  return (acc ^ (acc >> 47)) * P1;
}

/** Hash of bytes [p, p + len) under `seed` (the tenant, or the pair dictionary's own seed). */
export function hashBytes(seed: u64, p: usize, len: usize): u64 {
  let a0: u64 = seed ^ P1;
  let a1: u64 = seed ^ P2;
  const end = p + len;
  let o: usize = 0; // offset in the current 256-byte round of the secret
  if (ASC_FEATURE_SIMD) {
    let acc = i64x2(<i64>a0, <i64>a1);
    while (p + 16 <= end) {
      const d = v128.load(p);
      const k = v128.xor(d, v128.load(SECRET + o));
      const lo = v128.shuffle<u32>(k, k, 0, 2, 1, 3);
      const hi = v128.shuffle<u32>(k, k, 1, 3, 0, 2);
      acc = i64x2.add(acc, i64x2.add(v128.shuffle<u64>(d, d, 1, 0), i64x2.extmul_low_i32x4_u(lo, hi)));
      p += 16;
      o += 16;
      if (o == 256) {
        o = 0;
        acc = i64x2(<i64>scramble(<u64>i64x2.extract_lane(acc, 0)), <i64>scramble(<u64>i64x2.extract_lane(acc, 1)));
      }
    }
    a0 = <u64>i64x2.extract_lane(acc, 0);
    a1 = <u64>i64x2.extract_lane(acc, 1);
  } else {
    while (p + 16 <= end) {
      const d0 = load<u64>(p);
      const d1 = load<u64>(p, 8);
      a0 += d1 + mixWord(d0, load<u64>(SECRET + o));
      a1 += d0 + mixWord(d1, load<u64>(SECRET + o, 8));
      p += 16;
      o += 16;
      if (o == 256) {
        o = 0;
        a0 = scramble(a0);
        a1 = scramble(a1);
      }
    }
  }
  const rest = end - p;
  if (rest > 0) {
    // The last (up to) 16 bytes as two words: overlapping loads when the key is long enough,
    // so nothing is read past the end; a byte loop only for keys shorter than 16 bytes.
    let w0: u64 = 0;
    let w1: u64 = 0;
    if (len >= 16) {
      w0 = load<u64>(end - 16);
      w1 = load<u64>(end - 8);
    } else {
      for (let i: usize = 0; i < rest; i++) {
        const b = <u64>load<u8>(p + i);
        if (i < 8) w0 |= b << (<u64>i << 3);
        else w1 |= b << (<u64>(i - 8) << 3);
      }
    }
    a0 += w1 + mixWord(w0, P3 ^ <u64>rest);
    a1 += w0 + mixWord(w1, P2 ^ <u64>rest);
  }
  let h = a0 + rotl<u64>(a1, 29) + <u64>len * P3;
  h ^= h >> 33;
  h *= P2;
  h ^= h >> 29;
  h *= P3;
  h ^= h >> 32;
  return h;
}

/** Whether bytes [a, a + len) equal [b, b + len), compared a word (or 16 bytes) at a time. */
export function bytesEqual(a: usize, b: usize, len: usize): bool {
  if (len < 8) {
    for (let i: usize = 0; i < len; i++) if (load<u8>(a + i) != load<u8>(b + i)) return false;
    return true;
  }
  const last = len - 8;
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    while (i + 16 <= len) {
      if (v128.any_true(v128.xor(v128.load(a + i), v128.load(b + i)))) return false;
      i += 16;
    }
  }
  while (i < last) {
    if (load<u64>(a + i) != load<u64>(b + i)) return false;
    i += 8;
  }
  return load<u64>(a + last) == load<u64>(b + last);
}

/**
 * bytesEqual for a label span, faster for short ones: may read up to 8 bytes past either end, so
 * both sides must have that slack (pair bytes and the scratch buffer do).
 */
@inline export function spanEqual(a: usize, b: usize, len: usize): bool {
  if (len <= 8) {
    const mask: u64 = len == 8 ? <u64>-1 : ((<u64>1 << (<u64>len << 3)) - 1);
    return ((load<u64>(a) ^ load<u64>(b)) & mask) == 0;
  }
  if (len <= 16) return load<u64>(a) == load<u64>(b) && load<u64>(a + len - 8) == load<u64>(b + len - 8);
  if (len <= 32) {
    // Most label spans (name, job, instance, pod, path) land here: two overlapping 16-byte halves.
    const t = len - 16;
    if (ASC_FEATURE_SIMD) {
      return !v128.any_true(v128.or(v128.xor(v128.load(a), v128.load(b)), v128.xor(v128.load(a + t), v128.load(b + t))));
    }
    return ((load<u64>(a) ^ load<u64>(b)) | (load<u64>(a, 8) ^ load<u64>(b, 8)) | (load<u64>(a + t) ^ load<u64>(b + t)) | (load<u64>(a + t, 8) ^ load<u64>(b + t, 8))) == 0;
  }
  return bytesEqual(a, b, len);
}

/** The 32-bit table tag of a 64-bit hash. */
@inline export function tagOf(h: u64): u32 {
  return <u32>(h ^ (h >> 32));
}
