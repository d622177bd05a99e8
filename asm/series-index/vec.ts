// Growable u32 arrays for the index's bookkeeping lists (free refs, refs awaiting purge, pairs
// whose postings need maintenance). A vector is three u32 at a fixed address: ptr, len, cap.
import { alloc, free } from './alloc';

export function vecNew(): usize {
  const v = alloc(12);
  store<u32>(v, 0);
  store<u32>(v, 0, 4);
  store<u32>(v, 0, 8);
  return v;
}

@inline export function vecLen(v: usize): u32 {
  return load<u32>(v, 4);
}

@inline export function vecData(v: usize): usize {
  return load<u32>(v);
}

export function vecPush(v: usize, x: u32): void {
  const len = load<u32>(v, 4);
  const cap = load<u32>(v, 8);
  if (len == cap) {
    const ncap: u32 = cap < 16 ? 16 : cap << 1;
    const np = alloc(<usize>ncap << 2);
    const old = load<u32>(v);
    if (len > 0) memory.copy(np, old, <usize>len << 2);
    free(old, <usize>cap << 2);
    store<u32>(v, <u32>np);
    store<u32>(v, ncap, 8);
  }
  store<u32>(<usize>load<u32>(v) + (<usize>len << 2), x);
  store<u32>(v, len + 1, 4);
}

/** Removes and returns the last element; the vector must not be empty. */
export function vecPop(v: usize): u32 {
  const len = load<u32>(v, 4) - 1;
  store<u32>(v, len, 4);
  return load<u32>(<usize>load<u32>(v) + (<usize>len << 2));
}

export function vecClear(v: usize): void {
  store<u32>(v, 0, 4);
}
