// Per-group state: one f64 array per field, indexed by group id. Groups are (output group,
// window ring slot) pairs laid out by the host; the kernel only folds samples into them.
import { reserve } from '../shared/arena';
import { releaseReservoir } from './reservoir';

// Field numbers for state_ptr(); the host maps them to views. 0-5 are the ABI 1 fields.
export const FIELD_SUM: i32 = 0;
export const FIELD_COUNT: i32 = 1;
export const FIELD_MIN: i32 = 2;
export const FIELD_MAX: i32 = 3;
export const FIELD_LAST: i32 = 4;
export const FIELD_LAST_TS: i32 = 5;
/** Welford running mean and sum of squared deviations (stddev, stdvar). */
export const FIELD_MEAN: i32 = 6;
export const FIELD_M2: i32 = 7;
/** Counter increase in the window, first sample of a new series counted from 0 (total, increase). */
export const FIELD_INC_ALL: i32 = 8;
/** The same without first samples (total_prometheus, increase_prometheus). */
export const FIELD_INC_PROM: i32 = 9;
/** Sum and number of per-series rates folded into the window (rate_sum, rate_avg). */
export const FIELD_RATE_SUM: i32 = 10;
export const FIELD_RATE_N: i32 = 11;
/** Distinct series seen in the window (count_series). */
export const FIELD_SERIES_N: i32 = 12;
/** Samples offered to the quantile reservoir in the window. */
export const FIELD_Q_SEEN: i32 = 13;
export const GROUP_FIELDS: i32 = 14;

// u32 fields for group_u32_ptr(): reservoir block address, length, capacity; histogram block.
export const U32_Q_PTR: i32 = 0;
export const U32_Q_LEN: i32 = 1;
export const U32_Q_CAP: i32 = 2;
export const U32_H_PTR: i32 = 3;
export const GROUP_U32_FIELDS: i32 = 4;

export let groupCapacity: u32 = 0;
const fieldPtr = new StaticArray<usize>(GROUP_FIELDS);
const u32Ptr = new StaticArray<usize>(GROUP_U32_FIELDS);

@inline export function gf(field: i32): usize {
  return unchecked(fieldPtr[field]);
}

@inline export function gu(field: i32): usize {
  return unchecked(u32Ptr[field]);
}

export function state_ptr(field: i32): usize {
  return field >= 0 && field < GROUP_FIELDS ? unchecked(fieldPtr[field]) : 0;
}

export function group_u32_ptr(field: i32): usize {
  return field >= 0 && field < GROUP_U32_FIELDS ? unchecked(u32Ptr[field]) : 0;
}

export function state_capacity(): u32 {
  return groupCapacity;
}

function move(oldPtr: usize, oldCap: u32, newCap: u32, shift: u32): usize {
  const ptr = reserve(<usize>newCap << shift);
  if (oldCap > 0) memory.copy(ptr, oldPtr, <usize>oldCap << shift);
  return ptr;
}

/**
 * Makes room for groups [0, groups). Old arrays are abandoned (the stub runtime never frees), so
 * capacity at least doubles to keep the waste bounded by the live size.
 */
export function ensure_groups(groups: u32): void {
  if (groups <= groupCapacity) return;
  let cap = groupCapacity < 1024 ? <u32>1024 : groupCapacity;
  while (cap < groups) cap <<= 1;
  for (let f = 0; f < GROUP_FIELDS; f++) unchecked((fieldPtr[f] = move(fieldPtr[f], groupCapacity, cap, 3)));
  for (let f = 0; f < GROUP_U32_FIELDS; f++) {
    const p = move(u32Ptr[f], groupCapacity, cap, 2);
    memory.fill(p + (<usize>groupCapacity << 2), 0, <usize>(cap - groupCapacity) << 2);
    unchecked((u32Ptr[f] = p));
  }
  const old = groupCapacity;
  groupCapacity = cap;
  reset(old, cap);
}

export function fill(ptr: usize, from: u32, to: u32, value: f64): void {
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
  if (to > groupCapacity) to = groupCapacity;
  if (from >= to) return;
  for (let f = 0; f < GROUP_FIELDS; f++) fill(gf(f), from, to, 0);
  fill(gf(FIELD_MIN), from, to, Infinity);
  fill(gf(FIELD_MAX), from, to, -Infinity);
  fill(gf(FIELD_LAST), from, to, NaN);
  fill(gf(FIELD_LAST_TS), from, to, -Infinity);
  for (let g = from; g < to; g++) {
    releaseReservoir(g);
    const h = load<u32>(gu(U32_H_PTR) + (<usize>g << 2));
    if (h != 0) memory.fill(h, 0, <usize>histBuckets << 3);
  }
}

/** Number of histogram buckets per group (set by the host with the bucket bounds). */
export let histBuckets: u32 = 0;

export function setHistBuckets(n: u32): void {
  histBuckets = n;
}

/** Whether foldPlain keeps Welford's mean and M2 (set by configure for stddev and stdvar). */
export let welford: bool = true;

export function setWelford(on: bool): void {
  welford = on;
}

/** Folds one value into the plain statistics of group g: sum, count, min, max, last, Welford. */
@inline export function foldPlain(g: u32, v: f64, t: f64): void {
  const go = <usize>g << 3;
  const c = load<f64>(gf(FIELD_COUNT) + go) + 1;
  store<f64>(gf(FIELD_COUNT) + go, c);
  store<f64>(gf(FIELD_SUM) + go, load<f64>(gf(FIELD_SUM) + go) + v);
  if (v < load<f64>(gf(FIELD_MIN) + go)) store<f64>(gf(FIELD_MIN) + go, v);
  if (v > load<f64>(gf(FIELD_MAX) + go)) store<f64>(gf(FIELD_MAX) + go, v);
  const lastTs = load<f64>(gf(FIELD_LAST_TS) + go);
  if (t > lastTs || (t == lastTs && v > load<f64>(gf(FIELD_LAST) + go))) {
    store<f64>(gf(FIELD_LAST_TS) + go, t);
    store<f64>(gf(FIELD_LAST) + go, v);
  }
  if (!welford) return; // a division per sample, paid only when stddev or stdvar asks for it
  const mean = load<f64>(gf(FIELD_MEAN) + go);
  const delta = v - mean;
  const next = mean + delta / c;
  store<f64>(gf(FIELD_MEAN) + go, next);
  store<f64>(gf(FIELD_M2) + go, load<f64>(gf(FIELD_M2) + go) + delta * (v - next));
}
