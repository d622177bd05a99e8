// Set algebra on sorted u32 ref lists, the building blocks of matcher evaluation, and the sort
// that restores a postings list after refs were reused.
import { alloc, free } from './alloc';

@inline function at(p: usize, i: u32): u32 {
  return load<u32>(p + (<usize>i << 2));
}

@inline function put(p: usize, i: u32, v: u32): void {
  store<u32>(p + (<usize>i << 2), v);
}

function siftDown(p: usize, root: u32, n: u32): void {
  const v = at(p, root);
  let i = root;
  for (;;) {
    let c = (i << 1) + 1;
    if (c >= n) break;
    if (c + 1 < n && at(p, c + 1) > at(p, c)) c++;
    if (at(p, c) <= v) break;
    put(p, i, at(p, c));
    i = c;
  }
  put(p, i, v);
}

/** Sorts n u32 at p ascending, in place, in O(n log n) with no extra memory (heapsort). */
export function sortU32(p: usize, n: u32): void {
  if (n < 2) return;
  for (let i = (n >> 1) - 1; <i32>i >= 0; i--) siftDown(p, i, n);
  for (let end = n - 1; end > 0; end--) {
    const top = at(p, 0);
    put(p, 0, at(p, end));
    put(p, end, top);
    siftDown(p, 0, end);
  }
}

/** The first index in [lo, n) whose value is >= x, by galloping then binary search. */
function seek(p: usize, lo: u32, n: u32, x: u32): u32 {
  let step: u32 = 1;
  let hi = lo;
  while (hi < n && at(p, hi) < x) {
    lo = hi + 1;
    hi += step;
    step <<= 1;
  }
  if (hi > n) hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (at(p, mid) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** a ∩ b into out (which may alias a); returns the count. Gallops when one side is much shorter. */
export function intersect(a: usize, an: u32, b: usize, bn: u32, out: usize): u32 {
  let o: u32 = 0;
  if (an > bn) {
    const t = a; a = b; b = t;
    const tn = an; an = bn; bn = tn;
  }
  if (an == 0) return 0;
  if (an << 4 < bn) {
    let j: u32 = 0;
    for (let i: u32 = 0; i < an && j < bn; i++) {
      const x = at(a, i);
      j = seek(b, j, bn, x);
      if (j < bn && at(b, j) == x) put(out, o++, x);
    }
    return o;
  }
  let i: u32 = 0;
  let j: u32 = 0;
  while (i < an && j < bn) {
    const x = at(a, i);
    const y = at(b, j);
    if (x == y) {
      put(out, o++, x);
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return o;
}

/** Whether a and b share an element, stopping at the first. */
export function intersects(a: usize, an: u32, b: usize, bn: u32): bool {
  let i: u32 = 0;
  let j: u32 = 0;
  while (i < an && j < bn) {
    const x = at(a, i);
    const y = at(b, j);
    if (x == y) return true;
    if (x < y) i = seek(a, i, an, y);
    else j = seek(b, j, bn, x);
  }
  return false;
}

/** a ∪ b into out (which must not alias either); returns the count. */
export function union(a: usize, an: u32, b: usize, bn: u32, out: usize): u32 {
  let i: u32 = 0;
  let j: u32 = 0;
  let o: u32 = 0;
  while (i < an && j < bn) {
    const x = at(a, i);
    const y = at(b, j);
    if (x <= y) {
      put(out, o++, x);
      i++;
      if (x == y) j++;
    } else {
      put(out, o++, y);
      j++;
    }
  }
  while (i < an) put(out, o++, at(a, i++));
  while (j < bn) put(out, o++, at(b, j++));
  return o;
}

/** a − b into out (which may alias a); returns the count. */
export function difference(a: usize, an: u32, b: usize, bn: u32, out: usize): u32 {
  let o: u32 = 0;
  let j: u32 = 0;
  for (let i: u32 = 0; i < an; i++) {
    const x = at(a, i);
    if (j < bn && at(b, j) < x) j = seek(b, j, bn, x);
    if (j < bn && at(b, j) == x) continue;
    put(out, o++, x);
  }
  return o;
}

let bits: usize = 0;
let bitWords: u32 = 0;

/**
 * The union of many sorted lists (lists: n pairs of u32 address, u32 length) into out, through a
 * bitmap over the ref space: linear in the entries plus refLimit/32, where pairwise merging of a
 * regex's thousands of matching values would be quadratic.
 */
export function unionMany(lists: usize, n: u32, refLimit: u32, out: usize): u32 {
  const words = (refLimit + 31) >>> 5;
  if (words > bitWords) {
    free(bits, <usize>bitWords << 2);
    bitWords = words;
    bits = alloc(<usize>words << 2);
  }
  memory.fill(bits, 0, <usize>words << 2);
  for (let k: u32 = 0; k < n; k++) {
    const p = <usize>load<u32>(lists + (<usize>k << 3));
    const len = load<u32>(lists + (<usize>k << 3), 4);
    for (let i: u32 = 0; i < len; i++) {
      const r = at(p, i);
      const w = bits + (<usize>(r >>> 5) << 2);
      store<u32>(w, load<u32>(w) | (1 << (r & 31)));
    }
  }
  let o: u32 = 0;
  for (let w: u32 = 0; w < words; w++) {
    let x = load<u32>(bits + (<usize>w << 2));
    while (x != 0) {
      put(out, o++, (w << 5) | ctz<u32>(x));
      x &= x - 1;
    }
  }
  return o;
}
