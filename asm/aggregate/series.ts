// Per-series state and the per-sample hot path. Refs from the series index map to slots (one per
// input series after label dropping), slots to groups; the host fills both tables once per new
// series, so a known sample costs two loads and the state updates.
import { reserve } from '../shared/arena';
import {
  gf, foldPlain, fill, setWelford,
  FIELD_INC_ALL, FIELD_INC_PROM, FIELD_RATE_SUM, FIELD_RATE_N, FIELD_SERIES_N,
} from './groups';
import { reservoirAdd, histogramAdd } from './reservoir';

// Feature flags for configure(): per-slot arrays exist only for the outputs that need them.
export const F_COUNTERS: u32 = 1;
export const F_RATE: u32 = 2;
export const F_SERIES: u32 = 4;
export const F_DEDUP: u32 = 8;
export const F_QUANTILES: u32 = 16;
export const F_HISTOGRAM: u32 = 32;
export const F_VARIANCE: u32 = 64;

/** slotOf[ref]: 0 = not yet classified, NO_MATCH = not aggregated by this rule, else slot + 1. */
export const NO_MATCH: u32 = 0xffffffff;
/** Marks a late row in update()'s output list (unknown rows are written plain). */
export const LATE_ROW: u32 = 0x80000000;

// Slot fields for slot_ptr().
export const S_GROUP: i32 = 0; // u32
export const S_LAST_TS: i32 = 1; // f64: last sample time, NaN before the first
export const S_LAST_V: i32 = 2; // f64: last counter value
export const S_SEEN: i32 = 3; // u32: bit per window ring already counted in count_series
export const S_RATE_DELTA: i32 = 4; // f64
export const S_RATE_START: i32 = 5; // f64: NaN when no rate is open
export const S_RATE_RING: i32 = 6; // u32
export const S_DEDUP_V: i32 = 7; // f64
export const S_DEDUP_TS: i32 = 8; // f64: NaN when nothing is held
const SLOT_FIELDS: i32 = 9;
const slotPtr = new StaticArray<usize>(SLOT_FIELDS);
const slotShift: StaticArray<u32> = [2, 3, 3, 2, 3, 3, 2, 3, 3];

// Stats for stats_ptr(): the host reads and zeroes them.
export const ST_NAN: i32 = 0;
export const ST_OLD: i32 = 1;
export const ST_LATE: i32 = 2;
export const ST_FUTURE: i32 = 3;
export const ST_OUT_OF_ORDER: i32 = 4;
export const ST_RESETS: i32 = 5;
export const ST_APPLIED: i32 = 6;
export const ST_DUPLICATE: i32 = 7;
const STATS: i32 = 8;
const stats = new StaticArray<f64>(STATS);

let flags: u32 = 0;
let slotCapacity: u32 = 0;
let refCapacity: u32 = 0;
let slotOfPtr: usize = 0;

// Window parameters (set_window): processing time uses one ring slot and no window checks.
let eventTime: bool = false;
let intervalMs: f64 = 60000;
let rings: u32 = 1;
let oldestWindow: f64 = 0;
let newestWindow: f64 = 0;
let minTs: f64 = -Infinity;
let ignoreFirst: bool = false;

export function configure(featureFlags: u32): void {
  flags = featureFlags;
  setWelford((featureFlags & F_VARIANCE) != 0);
}

export function stats_ptr(): usize {
  return changetype<usize>(stats);
}

export function slot_ptr(field: i32): usize {
  return field >= 0 && field < SLOT_FIELDS ? unchecked(slotPtr[field]) : 0;
}

export function slot_capacity(): u32 {
  return slotCapacity;
}

export function ref_table(): usize {
  return slotOfPtr;
}

export function ref_capacity(): u32 {
  return refCapacity;
}

function needed(field: i32): bool {
  if (field <= S_LAST_TS) return true;
  if (field == S_LAST_V) return (flags & F_COUNTERS) != 0;
  if (field == S_SEEN) return (flags & F_SERIES) != 0;
  if (field <= S_RATE_RING) return (flags & F_RATE) != 0;
  return (flags & F_DEDUP) != 0;
}

/** Makes room for refs [0, refs) in the ref → slot table; new refs are unclassified. */
export function ensure_refs(refs: u32): void {
  if (refs <= refCapacity) return;
  let cap = refCapacity < 4096 ? <u32>4096 : refCapacity;
  while (cap < refs) cap <<= 1;
  const p = reserve(<usize>cap << 2);
  if (refCapacity > 0) memory.copy(p, slotOfPtr, <usize>refCapacity << 2);
  memory.fill(p + (<usize>refCapacity << 2), 0, <usize>(cap - refCapacity) << 2);
  slotOfPtr = p;
  refCapacity = cap;
}

/** Makes room for slots [0, slots); new slots are cleared. */
export function ensure_slots(slots: u32): void {
  if (slots <= slotCapacity) return;
  let cap = slotCapacity < 1024 ? <u32>1024 : slotCapacity;
  while (cap < slots) cap <<= 1;
  for (let f = 0; f < SLOT_FIELDS; f++) {
    if (!needed(f)) continue;
    const shift = unchecked(slotShift[f]);
    const p = reserve(<usize>cap << shift);
    if (slotCapacity > 0) memory.copy(p, unchecked(slotPtr[f]), <usize>slotCapacity << shift);
    unchecked((slotPtr[f] = p));
  }
  const old = slotCapacity;
  slotCapacity = cap;
  clear_slots(old, cap);
}

/** Forgets slots [from, to): the state of a series never seen. */
export function clear_slots(from: u32, to: u32): void {
  if (to > slotCapacity) to = slotCapacity;
  if (from >= to) return;
  const n = <usize>(to - from);
  memory.fill(slotPtr[S_GROUP] + (<usize>from << 2), 0, n << 2);
  fill(slotPtr[S_LAST_TS], from, to, NaN);
  if (needed(S_LAST_V)) fill(slotPtr[S_LAST_V], from, to, 0);
  if (needed(S_SEEN)) memory.fill(slotPtr[S_SEEN] + (<usize>from << 2), 0, n << 2);
  if (needed(S_RATE_DELTA)) {
    fill(slotPtr[S_RATE_DELTA], from, to, 0);
    fill(slotPtr[S_RATE_START], from, to, NaN);
    memory.fill(slotPtr[S_RATE_RING] + (<usize>from << 2), 0, n << 2);
  }
  if (needed(S_DEDUP_V)) {
    fill(slotPtr[S_DEDUP_V], from, to, 0);
    fill(slotPtr[S_DEDUP_TS], from, to, NaN);
  }
}

/**
 * Window parameters. Event time: a sample belongs to window floor(ts / interval), accepted while
 * that window is in [oldest, newest], into ring slot window % rings. Processing time: everything
 * goes to ring 0, and samples older than `min` are ignored (ignore_old_samples; -Infinity = off).
 * `ignoreFirstSample`: a new series' first value is a baseline, not an increase (startup).
 */
export function set_window(event: i32, interval: f64, ringCount: u32, oldest: f64, newest: f64, min: f64, ignoreFirstSample: i32): void {
  eventTime = event != 0;
  intervalMs = interval;
  rings = ringCount < 1 ? 1 : ringCount;
  oldestWindow = oldest;
  newestWindow = newest;
  minTs = min;
  ignoreFirst = ignoreFirstSample != 0;
}

@inline function slotU32(field: i32, s: u32): usize {
  return unchecked(slotPtr[field]) + (<usize>s << 2);
}

@inline function slotF64(field: i32, s: u32): usize {
  return unchecked(slotPtr[field]) + (<usize>s << 3);
}

/** The ring slot of a sample at t, or -1 (late) / -2 (future) in event time. */
@inline function ringOf(t: f64): i32 {
  if (!eventTime) return 0;
  const w = Math.floor(t / intervalMs);
  if (w < oldestWindow) return -1;
  if (w > newestWindow) return -2;
  return <i32>(<u64>w % <u64>rings);
}

/** Folds one series' open rate into its group: increase over the time it took. */
function foldRate(s: u32): void {
  const start = load<f64>(slotF64(S_RATE_START, s));
  if (isNaN(start)) return;
  const span = load<f64>(slotF64(S_LAST_TS, s)) - start;
  if (span > 0) {
    const g = load<u32>(slotU32(S_GROUP, s)) * rings + load<u32>(slotU32(S_RATE_RING, s));
    const go = <usize>g << 3;
    store<f64>(gf(FIELD_RATE_SUM) + go, load<f64>(gf(FIELD_RATE_SUM) + go) + load<f64>(slotF64(S_RATE_DELTA, s)) / (span / 1000));
    store<f64>(gf(FIELD_RATE_N) + go, load<f64>(gf(FIELD_RATE_N) + go) + 1);
  }
  store<f64>(slotF64(S_RATE_START, s), NaN);
  store<f64>(slotF64(S_RATE_DELTA, s), 0);
}

/** Counter bookkeeping for slot s: increase since its previous sample, resets, rate. */
function foldCounter(s: u32, g: u32, ring: u32, v: f64, t: f64): void {
  const prevTs = load<f64>(slotF64(S_LAST_TS, s));
  const go = <usize>g << 3;
  if (isNaN(prevTs)) {
    if (!ignoreFirst) store<f64>(gf(FIELD_INC_ALL) + go, load<f64>(gf(FIELD_INC_ALL) + go) + v);
  } else {
    const last = load<f64>(slotF64(S_LAST_V, s));
    if (t < prevTs || (t == prevTs && v <= last)) {
      unchecked((stats[t < prevTs ? ST_OUT_OF_ORDER : ST_DUPLICATE] += 1));
      return;
    }
    let d = v - last;
    if (d < 0) {
      d = v; // the counter restarted from zero
      unchecked((stats[ST_RESETS] += 1));
    }
    store<f64>(gf(FIELD_INC_ALL) + go, load<f64>(gf(FIELD_INC_ALL) + go) + d);
    store<f64>(gf(FIELD_INC_PROM) + go, load<f64>(gf(FIELD_INC_PROM) + go) + d);
    if ((flags & F_RATE) != 0) {
      if (load<u32>(slotU32(S_RATE_RING, s)) != ring) foldRate(s);
      if (isNaN(load<f64>(slotF64(S_RATE_START, s)))) {
        store<f64>(slotF64(S_RATE_START, s), prevTs);
        store<u32>(slotU32(S_RATE_RING, s), ring);
      }
      store<f64>(slotF64(S_RATE_DELTA, s), load<f64>(slotF64(S_RATE_DELTA, s)) + d);
    }
  }
  store<f64>(slotF64(S_LAST_V, s), v);
  store<f64>(slotF64(S_LAST_TS, s), t);
}

/** Applies one (deduplicated) sample of slot s; returns false when it was late. */
function apply(s: u32, v: f64, t: f64): bool {
  if (isNaN(v)) {
    unchecked((stats[ST_NAN] += 1));
    return true;
  }
  if (t < minTs) {
    unchecked((stats[ST_OLD] += 1));
    return true;
  }
  const ring = ringOf(t);
  if (ring < 0) {
    unchecked((stats[ring == -1 ? ST_LATE : ST_FUTURE] += 1));
    return ring != -1;
  }
  unchecked((stats[ST_APPLIED] += 1));
  const g = load<u32>(slotU32(S_GROUP, s)) * rings + <u32>ring;
  foldPlain(g, v, t);
  if ((flags & F_SERIES) != 0) {
    const bit: u32 = 1 << <u32>ring;
    const seen = load<u32>(slotU32(S_SEEN, s));
    if ((seen & bit) == 0) {
      store<u32>(slotU32(S_SEEN, s), seen | bit);
      const go = <usize>g << 3;
      store<f64>(gf(FIELD_SERIES_N) + go, load<f64>(gf(FIELD_SERIES_N) + go) + 1);
    }
  }
  if ((flags & F_COUNTERS) != 0) foldCounter(s, g, <u32>ring, v, t);
  else if (!(load<f64>(slotF64(S_LAST_TS, s)) >= t)) store<f64>(slotF64(S_LAST_TS, s), t);
  if ((flags & F_QUANTILES) != 0) reservoirAdd(g, v);
  if ((flags & F_HISTOGRAM) != 0) histogramAdd(g, v);
  return true;
}

/** Keeps the sample dedup prefers: latest timestamp; on a tie the larger value, a number over NaN. */
function dedupPut(s: u32, v: f64, t: f64): void {
  const heldTs = load<f64>(slotF64(S_DEDUP_TS, s));
  if (!isNaN(heldTs)) {
    if (t < heldTs) return;
    if (t == heldTs) {
      const held = load<f64>(slotF64(S_DEDUP_V, s));
      if (isNaN(v) || (!isNaN(held) && v <= held)) return;
    }
  }
  store<f64>(slotF64(S_DEDUP_TS, s), t);
  store<f64>(slotF64(S_DEDUP_V, s), v);
}

/**
 * Folds n rows (refs, values, ts). Rows whose ref is not classified yet are written to outPtr as
 * row numbers, late rows (event time) as row | LATE_ROW; the host classifies the former and calls
 * again with just those. Returns the number of entries written.
 */
export function update_series(refsPtr: usize, valuesPtr: usize, tsPtr: usize, n: u32, outPtr: usize): u32 {
  let out: u32 = 0;
  const dedup = (flags & F_DEDUP) != 0;
  for (let i: u32 = 0; i < n; i++) {
    const ref = load<u32>(refsPtr + (<usize>i << 2));
    const s1 = ref < refCapacity ? load<u32>(slotOfPtr + (<usize>ref << 2)) : 0;
    if (s1 == NO_MATCH) continue;
    if (s1 == 0) {
      store<u32>(outPtr + (<usize>out << 2), i);
      out++;
      continue;
    }
    const v = load<f64>(valuesPtr + (<usize>i << 3));
    const t = load<f64>(tsPtr + (<usize>i << 3));
    if (dedup) {
      if (eventTime && ringOf(t) == -1) {
        unchecked((stats[ST_LATE] += 1));
        store<u32>(outPtr + (<usize>out << 2), i | LATE_ROW);
        out++;
      } else dedupPut(s1 - 1, v, t);
    } else if (!apply(s1 - 1, v, t)) {
      store<u32>(outPtr + (<usize>out << 2), i | LATE_ROW);
      out++;
    }
  }
  return out;
}

/** Applies every held dedup sample of slots [0, slots) and empties the holds. */
export function dedup_flush(slots: u32): void {
  if ((flags & F_DEDUP) == 0) return;
  if (slots > slotCapacity) slots = slotCapacity;
  for (let s: u32 = 0; s < slots; s++) {
    const t = load<f64>(slotF64(S_DEDUP_TS, s));
    if (isNaN(t)) continue;
    apply(s, load<f64>(slotF64(S_DEDUP_V, s)), t);
    store<f64>(slotF64(S_DEDUP_TS, s), NaN);
  }
}

/**
 * Prepares ring slot `ring` for reading: folds the open rates that belong to it and forgets which
 * series count_series saw in it. The host then reads the groups and resets them.
 */
export function close_window(ring: u32, slots: u32): void {
  if (slots > slotCapacity) slots = slotCapacity;
  if ((flags & F_RATE) != 0) {
    for (let s: u32 = 0; s < slots; s++) if (load<u32>(slotU32(S_RATE_RING, s)) == ring) foldRate(s);
  }
  if ((flags & F_SERIES) != 0) {
    const keep = ~(<u32>1 << ring);
    for (let s: u32 = 0; s < slots; s++) store<u32>(slotU32(S_SEEN, s), load<u32>(slotU32(S_SEEN, s)) & keep);
  }
}
