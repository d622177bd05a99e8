// Aggregation state updates: for every sample, fold its value into the state of its group.
// State is structure-of-arrays indexed by group id; the host reads it through views of memory.
import { reserve } from '../shared/arena';

export { reserve };

/** Bumped whenever an export's signature or the state layout changes. */
export const ABI_VERSION: i32 = 1;

export function abi_version(): i32 {
  return ABI_VERSION;
}

/** 1 when this build uses SIMD instructions, 0 for the scalar build. */
export function simd(): i32 {
  return ASC_FEATURE_SIMD ? 1 : 0;
}

let capacity: u32 = 0;
let sumPtr: usize = 0;
let countPtr: usize = 0;
let minPtr: usize = 0;
let maxPtr: usize = 0;
let lastPtr: usize = 0;
let lastTsPtr: usize = 0;

// Field numbers for state_ptr(): the host maps them to views.
export const FIELD_SUM: i32 = 0;
export const FIELD_COUNT: i32 = 1;
export const FIELD_MIN: i32 = 2;
export const FIELD_MAX: i32 = 3;
export const FIELD_LAST: i32 = 4;
export const FIELD_LAST_TS: i32 = 5;

export function state_ptr(field: i32): usize {
  switch (field) {
    case FIELD_SUM: return sumPtr;
    case FIELD_COUNT: return countPtr;
    case FIELD_MIN: return minPtr;
    case FIELD_MAX: return maxPtr;
    case FIELD_LAST: return lastPtr;
    case FIELD_LAST_TS: return lastTsPtr;
  }
  return 0;
}

export function state_capacity(): u32 {
  return capacity;
}

function moveField(oldPtr: usize, oldCap: u32, newCap: u32): usize {
  const ptr = reserve(<usize>newCap << 3);
  if (oldCap > 0) memory.copy(ptr, oldPtr, <usize>oldCap << 3);
  return ptr;
}

/**
 * Makes room for groups [0, groups). Old arrays are abandoned (the stub runtime never frees), so
 * capacity at least doubles to keep the waste bounded by the live size.
 */
export function ensure_groups(groups: u32): void {
  if (groups <= capacity) return;
  let cap = capacity < 1024 ? <u32>1024 : capacity;
  while (cap < groups) cap <<= 1;
  sumPtr = moveField(sumPtr, capacity, cap);
  countPtr = moveField(countPtr, capacity, cap);
  minPtr = moveField(minPtr, capacity, cap);
  maxPtr = moveField(maxPtr, capacity, cap);
  lastPtr = moveField(lastPtr, capacity, cap);
  lastTsPtr = moveField(lastTsPtr, capacity, cap);
  const old = capacity;
  capacity = cap;
  reset(old, cap);
}

function fill(ptr: usize, from: u32, to: u32, value: f64): void {
  let p = ptr + (<usize>from << 3);
  const end = ptr + (<usize>to << 3);
  if (ASC_FEATURE_SIMD) {
    const v = f64x2.splat(value);
    while (p + 16 <= end) {
      v128.store(p, v);
      p += 16;
    }
  }
  while (p < end) {
    store<f64>(p, value);
    p += 8;
  }
}

/** Empties groups [from, to): the state a group has before its first sample. */
export function reset(from: u32, to: u32): void {
  if (to > capacity) to = capacity;
  if (from >= to) return;
  fill(sumPtr, from, to, 0);
  fill(countPtr, from, to, 0);
  fill(minPtr, from, to, Infinity);
  fill(maxPtr, from, to, -Infinity);
  fill(lastPtr, from, to, NaN);
  fill(lastTsPtr, from, to, -Infinity);
}

/**
 * Folds n samples into their groups. NaN values (stale markers included) carry no number to
 * aggregate and are skipped; the count of skipped samples is returned. For `last`, the latest
 * timestamp wins and a tie goes to the larger value, so the result does not depend on arrival order.
 * Aborts on a group id outside ensure_groups().
 */
export function update(groupsPtr: usize, valuesPtr: usize, tsPtr: usize, n: u32): u32 {
  let skipped: u32 = 0;
  const cap = capacity;
  for (let i: u32 = 0; i < n; i++) {
    const off = <usize>i << 3;
    const v = load<f64>(valuesPtr + off);
    if (isNaN(v)) {
      skipped++;
      continue;
    }
    const g = load<u32>(groupsPtr + (<usize>i << 2));
    assert(g < cap, 'group id out of range');
    const go = <usize>g << 3;
    store<f64>(sumPtr + go, load<f64>(sumPtr + go) + v);
    store<f64>(countPtr + go, load<f64>(countPtr + go) + 1);
    if (v < load<f64>(minPtr + go)) store<f64>(minPtr + go, v);
    if (v > load<f64>(maxPtr + go)) store<f64>(maxPtr + go, v);
    const t = load<f64>(tsPtr + off);
    const lastTs = load<f64>(lastTsPtr + go);
    if (t > lastTs || (t == lastTs && v > load<f64>(lastPtr + go))) {
      store<f64>(lastTsPtr + go, t);
      store<f64>(lastPtr + go, v);
    }
  }
  return skipped;
}
