// The series (TSID) index kernel: raw canonical key bytes (host/series/series-key.ts) to dense
// series refs, with TSIDs, label-pair postings, set algebra for matchers and the bookkeeping for
// deletion and persistence. The host drives it through the exports below; all state lives in
// this instance's memory, addressed by the numbers the exports hand out.
import { alloc, allocZeroed, blockSize, bytesInUse, bytesReserved, free } from './alloc';
import { pairCount, pairCreate, pairFind, pairRecordMaybe, pairsInit, pairsRetired, pairsSetNext } from './pairs';
import {
  freeAt, freeCount, keyLength, keyWrite, keyValid, nextMetric, pendingCount, refLimit, restoreCounters, restoreFree,
  seriesAlive, seriesInit, seriesInsert, seriesLive, seriesLookup, seriesLookupMany, seriesPurge, seriesRecord, seriesRemove, seriesRestore,
  seriesWireBytes,
} from './series';
import { setTagMask, tableBytes, tableCapacity, tableInit } from './series-table';
import { difference, intersect, intersects, union, unionMany } from './sets';
export { rw_assign, rw_decode_v1, rw_input, rw_result } from './remote-write-decode';
export * from './remote-write-encode';

export { alloc, free, intersect, union, difference, bytesInUse as bytes_in_use, bytesReserved as bytes_reserved };

/** Bumped whenever an export's signature or a record layout the host reads changes. */
export const ABI_VERSION: i32 = 3;

export function abi_version(): i32 {
  return ABI_VERSION;
}

export function simd(): i32 {
  return ASC_FEATURE_SIMD ? 1 : 0;
}

let scratchPtr: usize = 0;
let scratchCap: usize = 0;

/**
 * Sets up an empty index: table capacity hint, how many deleted refs wait before an insert purges
 * them, and a tag mask (0xffffffff; tests pass small masks to force hash collisions).
 */
export function init(capacity: u32, purgeThreshold: u32, tagMask: u32): void {
  setTagMask(tagMask);
  tableInit(capacity);
  pairsInit();
  seriesInit(purgeThreshold);
  scratch(65536);
}

/** The scratch buffer decoders write a key into, at least minBytes long. Moves when it grows. */
export function scratch(minBytes: u32): usize {
  if (<usize>minBytes > scratchCap) {
    free(scratchPtr, scratchCap + 16);
    // 16 bytes more than the caller may use: key comparisons read up to 8 bytes past a key's end.
    scratchCap = blockSize(minBytes + 16) - 16;
    scratchPtr = alloc(scratchCap + 16);
  }
  return scratchPtr;
}

export function scratch_capacity(): u32 {
  return <u32>scratchCap;
}

/** The ref of key [p, p + len) of `tenant`, or -1 when the index has not seen it. */
export function lookup(tenant: u32, p: usize, len: u32): i32 {
  return seriesLookup(tenant, p, len);
}

/**
 * Looks up n keys at once: key i is [base + offsets[i], base + offsets[i + 1]) (u32 offsets at
 * `offsets`, n + 1 of them). Writes each ref, or -1 for a key not in the index, to `out`; returns
 * the number of misses. One call per request instead of one per series.
 */
export function lookup_many(tenant: u32, base: usize, offsets: usize, n: u32, out: usize): u32 {
  return seriesLookupMany(tenant, base, offsets, n, out);
}

/** Inserts a key that lookup() just missed; returns its ref. */
export function insert(tenant: u32, p: usize, len: u32): u32 {
  return seriesInsert(tenant, p, len);
}

export function key_valid(p: usize, len: u32): i32 {
  return keyValid(p, len) ? 1 : 0;
}

export function remove(ref: u32): i32 {
  return seriesRemove(ref) ? 1 : 0;
}

export function purge(): void {
  seriesPurge();
}

export function alive(ref: u32): i32 {
  return seriesAlive(ref) ? 1 : 0;
}

/** Address of a live series' record (layout in series.ts). */
export function series_record(ref: u32): usize {
  return seriesRecord(ref);
}

/** Writes the key of a live ref to out (key_len bytes); returns its length. */
export function key_write(ref: u32, out: usize): u32 {
  return keyWrite(ref, out);
}

export function key_len(ref: u32): u32 {
  return keyLength(ref);
}

export function ref_limit(): u32 {
  return refLimit();
}

export function live_count(): u32 {
  return seriesLive();
}

export function free_count(): u32 {
  return freeCount();
}

export function free_at(i: u32): u32 {
  return freeAt(i);
}

export function pending_count(): u32 {
  return pendingCount();
}

/** The next metric id as a float (exact below 2^53, which no index reaches). */
export function next_metric_id(): f64 {
  return <f64>nextMetric();
}

/** How many pairs were retired (their last series gone); the host prunes its strings by it. */
export function pairs_retired(): u32 {
  return pairsRetired();
}

export function pair_count(): u32 {
  return pairCount();
}

/** Address of pair `id`'s record (layout in pairs.ts), 0 for an id never created. */
export function pair_record(id: u32): usize {
  return pairRecordMaybe(id);
}

export function pair_find(tenant: u32, p: usize, len: u32): u32 {
  return pairFind(tenant, p, len);
}

export function restore_pair(tenant: u32, p: usize, len: u32, id: u32): void {
  pairCreate(tenant, p, len, id);
}

export function restore_series(ref: u32, tenant: u32, p: usize, len: u32, metricId: f64): void {
  seriesRestore(ref, tenant, p, len, <u64>metricId);
}

export function restore_free(ref: u32): void {
  restoreFree(ref);
}

export function restore_counters(refs: u32, metricId: f64, nextPair: u32): void {
  restoreCounters(refs, <u64>metricId);
  pairsSetNext(nextPair);
}

export function table_bytes(): u32 {
  return <u32>tableBytes();
}

export function table_capacity(): u32 {
  return tableCapacity();
}

export function intersects_(a: usize, an: u32, b: usize, bn: u32): i32 {
  return intersects(a, an, b, bn) ? 1 : 0;
}

export function union_many(lists: usize, n: u32, refs: u32, out: usize): u32 {
  return unionMany(lists, n, refs, out);
}

/** A zero-filled block, for host-side scratch lists. */
export function alloc_zeroed(bytes: usize): usize {
  return allocZeroed(bytes);
}

/** Bytes held as series' wire labels (series.ts), part of bytes_in_use(). */
export function wire_bytes(): u32 {
  return <u32>seriesWireBytes();
}
