// Quantile reservoirs and histogram buckets per group. A reservoir keeps every value until it
// holds `reservoirMax`, then replaces a uniformly chosen one (Vitter's algorithm R), so quantiles
// are exact for small windows and unbiased estimates for large ones. Blocks come from
// power-of-two size classes with free lists, so a reset window's memory is reused.
import { reserve } from '../shared/arena';
import { gf, gu, FIELD_Q_SEEN, U32_Q_PTR, U32_Q_LEN, U32_Q_CAP, U32_H_PTR, histBuckets, setHistBuckets } from './groups';

const MIN_CLASS: u32 = 3; // 8 values
const CLASSES: i32 = 20;
const freeLists = new StaticArray<usize>(CLASSES);

export let reservoirMax: u32 = 1000;
let rng: u32 = 0x9e3779b9;

export function setReservoirMax(n: u32): void {
  reservoirMax = n < 1 ? 1 : n;
}

/** xorshift32: the TypeScript reference runs the same sequence, so both pick the same victims. */
@inline function nextRandom(): u32 {
  let x = rng;
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  rng = x;
  return x;
}

export function reset_random(seed: u32): void {
  rng = seed == 0 ? 0x9e3779b9 : seed;
}

function classOf(cap: u32): i32 {
  return <i32>(31 - clz(cap)) - <i32>MIN_CLASS;
}

function allocBlock(cap: u32): usize {
  const c = classOf(cap);
  const head = unchecked(freeLists[c]);
  if (head != 0) {
    unchecked((freeLists[c] = load<usize>(head)));
    return head;
  }
  return reserve(<usize>cap << 3);
}

function freeBlock(ptr: usize, cap: u32): void {
  const c = classOf(cap);
  store<usize>(ptr, unchecked(freeLists[c]));
  unchecked((freeLists[c] = ptr));
}

/** Returns group g's reservoir block to its free list and empties it. */
export function releaseReservoir(g: u32): void {
  const o = <usize>g << 2;
  const p = load<u32>(gu(U32_Q_PTR) + o);
  if (p == 0) return;
  freeBlock(p, load<u32>(gu(U32_Q_CAP) + o));
  store<u32>(gu(U32_Q_PTR) + o, 0);
  store<u32>(gu(U32_Q_LEN) + o, 0);
  store<u32>(gu(U32_Q_CAP) + o, 0);
}

/** Offers v to group g's reservoir. */
export function reservoirAdd(g: u32, v: f64): void {
  const o = <usize>g << 2;
  const seen = load<f64>(gf(FIELD_Q_SEEN) + (<usize>g << 3)) + 1;
  store<f64>(gf(FIELD_Q_SEEN) + (<usize>g << 3), seen);
  let len = load<u32>(gu(U32_Q_LEN) + o);
  let ptr = load<u32>(gu(U32_Q_PTR) + o);
  if (len < reservoirMax) {
    const cap = load<u32>(gu(U32_Q_CAP) + o);
    if (len == cap) {
      const nextCap = cap == 0 ? (<u32>1 << MIN_CLASS) : cap << 1;
      const next = allocBlock(nextCap);
      if (ptr != 0) {
        memory.copy(next, ptr, <usize>len << 3);
        freeBlock(ptr, cap);
      }
      ptr = <u32>next;
      store<u32>(gu(U32_Q_PTR) + o, ptr);
      store<u32>(gu(U32_Q_CAP) + o, nextCap);
    }
    store<f64>(ptr + (<usize>len << 3), v);
    store<u32>(gu(U32_Q_LEN) + o, len + 1);
    return;
  }
  const r = nextRandom() % <u32>seen;
  if (r < reservoirMax) store<f64>(ptr + (<usize>r << 3), v);
}

// Histogram: bucket 0 holds [0, bounds[0]], bucket i holds (bounds[i-1], bounds[i]], the last
// bucket everything above the last bound. Bounds are written by the host, so the kernel and the
// reference compare against the very same doubles.
let boundsPtr: usize = 0;
let boundsLen: u32 = 0;

export function hist_bounds(n: u32): usize {
  boundsPtr = reserve(<usize>n << 3);
  boundsLen = n;
  setHistBuckets(n + 1);
  return boundsPtr;
}

/** Counts v into group g's histogram; negative values have no bucket and are left out. */
export function histogramAdd(g: u32, v: f64): void {
  if (v < 0 || histBuckets == 0) return;
  const o = <usize>g << 2;
  let h = load<u32>(gu(U32_H_PTR) + o);
  if (h == 0) {
    h = <u32>reserve(<usize>histBuckets << 3);
    memory.fill(h, 0, <usize>histBuckets << 3);
    store<u32>(gu(U32_H_PTR) + o, h);
  }
  let lo: u32 = 0;
  let hi: u32 = boundsLen;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (load<f64>(boundsPtr + (<usize>mid << 3)) < v) lo = mid + 1;
    else hi = mid;
  }
  const p = h + (<usize>lo << 3);
  store<f64>(p, load<f64>(p) + 1);
}

/** Replaces group g's reservoir with n values at ptr, as if `seen` values had been offered. */
export function restore_reservoir(g: u32, ptr: usize, n: u32, seen: f64): void {
  releaseReservoir(g);
  const max = reservoirMax;
  reservoirMax = 0xffffffff;
  for (let i: u32 = 0; i < n; i++) reservoirAdd(g, load<f64>(ptr + (<usize>i << 3)));
  reservoirMax = max;
  store<f64>(gf(FIELD_Q_SEEN) + (<usize>g << 3), seen);
}

/** Group g's histogram counts, allocated on first use. */
export function histogram_ptr(g: u32): usize {
  const o = <usize>g << 2;
  let h = load<u32>(gu(U32_H_PTR) + o);
  if (h == 0 && histBuckets > 0) {
    h = <u32>reserve(<usize>histBuckets << 3);
    memory.fill(h, 0, <usize>histBuckets << 3);
    store<u32>(gu(U32_H_PTR) + o, h);
  }
  return h;
}

/**
 * The nearest-rank phi-quantile of group g's reservoir (NaN when empty), by Hoare selection in
 * place: the reservoir's order changes, so call it only when the window is being closed.
 */
export function quantile(g: u32, phi: f64): f64 {
  const o = <usize>g << 2;
  const n = load<u32>(gu(U32_Q_LEN) + o);
  if (n == 0) return NaN;
  const p = <usize>load<u32>(gu(U32_Q_PTR) + o);
  let k: i32;
  if (phi <= 0) k = 0;
  else if (phi >= 1) k = <i32>n - 1;
  else {
    k = <i32>Math.floor(phi * <f64>(n - 1) + 0.5);
    if (k > <i32>n - 1) k = <i32>n - 1;
  }
  let lo: i32 = 0;
  let hi: i32 = <i32>n - 1;
  while (lo < hi) {
    const pivot = load<f64>(p + (<usize>((lo + hi) >>> 1) << 3));
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (load<f64>(p + (<usize>i << 3)) < pivot) i++;
      while (load<f64>(p + (<usize>j << 3)) > pivot) j--;
      if (i <= j) {
        const t = load<f64>(p + (<usize>i << 3));
        store<f64>(p + (<usize>i << 3), load<f64>(p + (<usize>j << 3)));
        store<f64>(p + (<usize>j << 3), t);
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return load<f64>(p + (<usize>k << 3));
}
