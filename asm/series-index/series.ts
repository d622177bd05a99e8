// Series: refs, their records and TSIDs, insertion and deletion. A series record (40 bytes) is
// [entry u32][tenant u32][metric-name pair u32][job pair u32][instance pair u32][hash tag u32]
// [metricId u64][wire labels u32][wire length u32]; metricId is 0 for a free ref. Deleted refs
// wait in `pending` until the next purge has dropped them from every postings list; only then
// may they be handed out again.
//
// A series' arena entry is [ref u32][tenant u32][key length u32][labels u32][pair bytes u32 * labels]:
// the key is not stored again but as pointers to its label pairs' bytes (each preceded by the
// pair's id and length, pairs.ts), which the dictionary holds
// once for all series sharing them (as Prometheus's and VictoriaMetrics's symbol tables do).
// That makes an entry ~56 bytes instead of ~220 for a 10-label key, and lookups in a large index
// read that much less memory; the pair bytes they compare against are shared and stay in cache.
import { alloc, blockSize, free } from './alloc';
import { bytesEqual, hashBytes, tagOf } from './hash';
import { pairAt, pairFind, pairIntern, P_BYTES, postingsAdd, postingsDead, postingsPurge } from './pairs';
import { recordAt, recordEnsure, recordMaybe, recordsNew } from './records';
import { entryMatches, tableFind, tableInsert, tableRemove, tagMask } from './series-table';
import { vecClear, vecData, vecLen, vecNew, vecPop, vecPush } from './vec';

export const SERIES_SIZE: usize = 40;
export const S_ENTRY: usize = 0;
export const S_TENANT: usize = 4;
export const S_NAME: usize = 8;
export const S_JOB: usize = 12;
export const S_INSTANCE: usize = 16;
const S_TAG: usize = 20;
export const S_METRIC_ID: usize = 24;
const S_WIRE: usize = 32;
const S_WIRE_LEN: usize = 36;
/** A wire-labels block: [labels u32][longest name or value u32], then the bytes. */
const WIRE_HEADER: usize = 8;
/** Arena entry header: ref, tenant, key length, label count. */
export const ENTRY_HEADER: usize = 16;

const NAME_WORD: u64 = 0x5f5f656d616e5f5f; // "__name__"
const INSTANCE_WORD: u64 = 0x65636e6174736e69; // "instance"

let records: usize = 0;
let nextRef: u32 = 0;
let nextMetricId: u64 = 1;
let liveCount: u32 = 0;
let freeRefs: usize = 0;
let pending: usize = 0;
let purgeThreshold: u32 = 1024;
let wireBytes: usize = 0;

export function seriesInit(threshold: u32): void {
  records = recordsNew();
  freeRefs = vecNew();
  pending = vecNew();
  purgeThreshold = threshold;
}

@inline function seedOf(tenant: u32): u64 {
  return (<u64>tenant + 1) * 0xff51afd7ed558ccd;
}

@inline function keyTag(tenant: u32, p: usize, len: u32): u32 {
  return tagOf(hashBytes(seedOf(tenant), p, len)) & tagMask;
}

let cursor: usize = 0;
let varintOk = false;

/** Reads a varint at p (never past end): the value; the next position goes to `cursor`. */
function varint(p: usize, end: usize): u32 {
  let n: u32 = 0;
  let shift: u32 = 0;
  varintOk = false;
  while (p < end && shift < 35) {
    const b = <u32>load<u8>(p++);
    n |= (b & 0x7f) << shift;
    if (b < 0x80) {
      varintOk = true;
      break;
    }
    shift += 7;
  }
  cursor = p;
  return n;
}

/** Whether [p, p + len) is a well-formed key: whole varint-prefixed names and values, no overrun. */
export function keyValid(p: usize, len: u32): bool {
  const end = p + len;
  while (p < end) {
    const nameLen = varint(p, end);
    if (!varintOk || <u64>cursor + nameLen >= <u64>end) return false;
    const valueLen = varint(cursor + nameLen, end);
    if (!varintOk || <u64>cursor + valueLen > <u64>end) return false;
    p = cursor + valueLen;
  }
  return true;
}

let lastRef: u32 = 0;
let predicting = false;

/**
 * The ref of a key, or -1. A target sends its series in the same order every scrape, and the first
 * scrape created them in that order, so the next key is usually the series after the last one
 * found: that series is verified directly (the same full comparison), which skips hashing and the
 * table's cache miss. Prediction is on only while the previous key was found at last + 1, so keys
 * in any other order pay one flag test.
 */
export function seriesLookup(tenant: u32, p: usize, len: u32): i32 {
  if (predicting) {
    const next = lastRef + 1;
    const rec = next < nextRef ? recordMaybe(records, next, SERIES_SIZE) : 0;
    if (rec != 0) {
      const e = <usize>load<u32>(rec, S_ENTRY);
      if (e != 0 && entryMatches(e, tenant, p, len)) {
        lastRef = next;
        return <i32>next;
      }
    }
  }
  const r = tableFind(keyTag(tenant, p, len), tenant, p, len);
  predicting = r >= 0 && <u32>r == lastRef + 1;
  if (r >= 0) lastRef = <u32>r;
  return r;
}

// Wire labels: a series' Label fields exactly as a remote_write 1.0 sender wrote them, kept so
// that the next request's identical bytes resolve to the series with one comparison, without
// building and looking up its key (remote-write-decode.ts). Equal bytes decode to equal labels,
// so a match is exact. Bounded by a byte budget the decoder passes; a series past it simply
// takes the key path. The label count and longest name or value are kept beside the bytes, so
// a decoder with tighter limits than the one that stored them still refuses what it must.

/**
 * The predicted series (see seriesLookup) when its wire labels are exactly [p, p + len) of
 * `tenant` within the limits: its ref, and the prediction moves on. Otherwise -1; when the
 * predicted series had wire labels that differ, prediction is switched off for the lookup that
 * follows, which would compare against the same series again.
 */
export function seriesWireMatch(tenant: u32, p: usize, len: u32, maxLabels: u32, maxLength: u32): i32 {
  if (!predicting) return -1;
  const next = lastRef + 1;
  const rec = next < nextRef ? recordMaybe(records, next, SERIES_SIZE) : 0;
  if (rec == 0) return -1;
  const wire = <usize>load<u32>(rec, S_WIRE);
  if (wire == 0) return -1;
  if (load<u32>(rec, S_WIRE_LEN) == len && load<u32>(rec, S_TENANT) == tenant && bytesEqual(wire + WIRE_HEADER, p, <usize>len)) {
    if (load<u32>(wire) > maxLabels || load<u32>(wire, 4) > maxLength) return -1;
    lastRef = next;
    return <i32>next;
  }
  predicting = false;
  return -1;
}

/**
 * Keeps [p, p + len) as the wire labels of live series `ref` (replacing different ones), unless
 * that would take the bytes held over `budget`.
 */
export function seriesWireKeep(ref: u32, p: usize, len: u32, labels: u32, longest: u32, budget: usize): void {
  const rec = seriesRecord(ref);
  const old = <usize>load<u32>(rec, S_WIRE);
  if (old != 0) {
    if (load<u32>(rec, S_WIRE_LEN) == len && bytesEqual(old + WIRE_HEADER, p, <usize>len)) return;
    wireDrop(rec);
  }
  const size = blockSize(WIRE_HEADER + <usize>len);
  if (wireBytes + size > budget) return;
  const wire = alloc(WIRE_HEADER + <usize>len);
  store<u32>(wire, labels);
  store<u32>(wire, longest, 4);
  memory.copy(wire + WIRE_HEADER, p, <usize>len);
  store<u32>(rec, <u32>wire, S_WIRE);
  store<u32>(rec, len, S_WIRE_LEN);
  wireBytes += size;
}

function wireDrop(rec: usize): void {
  const wire = <usize>load<u32>(rec, S_WIRE);
  if (wire == 0) return;
  const bytes = WIRE_HEADER + <usize>load<u32>(rec, S_WIRE_LEN);
  free(wire, bytes);
  wireBytes -= blockSize(bytes);
  store<u32>(rec, 0, S_WIRE);
  store<u32>(rec, 0, S_WIRE_LEN);
}

/** Bytes held as wire labels. */
export function seriesWireBytes(): usize {
  return wireBytes;
}

/**
 * Looks up n keys (key i is [base + offsets[i], base + offsets[i + 1])), writing refs or -1 to out;
 * returns the misses.
 */
export function seriesLookupMany(tenant: u32, base: usize, offsets: usize, n: u32, out: usize): u32 {
  let misses: u32 = 0;
  let start = load<u32>(offsets);
  for (let i: u32 = 0; i < n; i++) {
    const end = load<u32>(offsets + (<usize>(i + 1) << 2));
    const r = seriesLookup(tenant, base + start, end - start);
    store<i32>(out + (<usize>i << 2), r);
    if (r < 0) misses++;
    start = end;
  }
  return misses;
}

let labelIds: usize = 0;

/** Interns the label pairs of a key (bytes addresses into labelIds, ref into their postings), noting the TSID pairs. */
function internLabels(rec: usize, tenant: u32, p: usize, len: u32, ref: u32): u32 {
  if (labelIds == 0) labelIds = vecNew();
  vecClear(labelIds);
  postingsAdd(pairIntern(tenant, 0, 0), ref);
  const end = p + len;
  while (p < end) {
    const nameLen = varint(p, end);
    const name = cursor;
    const valueLen = varint(name + nameLen, end);
    const next = cursor + valueLen;
    const id = pairIntern(tenant, p, <u32>(next - p));
    postingsAdd(id, ref);
    vecPush(labelIds, load<u32>(pairAt(id), P_BYTES));
    if (nameLen == 8) {
      const w = load<u64>(name);
      if (w == NAME_WORD) store<u32>(rec, id, S_NAME);
      else if (w == INSTANCE_WORD) store<u32>(rec, id, S_INSTANCE);
    } else if (nameLen == 3 && load<u16>(name) == 0x6f6a && load<u8>(name, 2) == 0x62) {
      store<u32>(rec, id, S_JOB);
    }
    p = next;
  }
  return vecLen(labelIds);
}

function attach(ref: u32, tenant: u32, p: usize, len: u32, metricId: u64): void {
  const rec = recordEnsure(records, ref, SERIES_SIZE);
  store<u32>(rec, tenant, S_TENANT);
  store<u32>(rec, 0, S_NAME);
  store<u32>(rec, 0, S_JOB);
  store<u32>(rec, 0, S_INSTANCE);
  store<u64>(rec, metricId, S_METRIC_ID);
  store<u32>(rec, 0, S_WIRE);
  store<u32>(rec, 0, S_WIRE_LEN);
  const n = internLabels(rec, tenant, p, len, ref);
  const entry = alloc(ENTRY_HEADER + (<usize>n << 2));
  store<u32>(entry, ref);
  store<u32>(entry, tenant, 4);
  store<u32>(entry, len, 8);
  store<u32>(entry, n, 12);
  memory.copy(entry + ENTRY_HEADER, vecData(labelIds), <usize>n << 2);
  const tag = keyTag(tenant, p, len);
  tableInsert(tag, entry);
  store<u32>(rec, <u32>entry, S_ENTRY);
  store<u32>(rec, tag, S_TAG);
  liveCount++;
}

/** Inserts a key known to be absent (lookup just missed) and returns its new ref. */
export function seriesInsert(tenant: u32, p: usize, len: u32): u32 {
  if (vecLen(freeRefs) == 0 && vecLen(pending) >= purgeThreshold) seriesPurge();
  const ref = vecLen(freeRefs) > 0 ? vecPop(freeRefs) : nextRef++;
  attach(ref, tenant, p, len, nextMetricId++);
  return ref;
}

@inline export function seriesRecord(ref: u32): usize {
  return recordAt(records, ref, SERIES_SIZE);
}

export function seriesAlive(ref: u32): bool {
  if (ref >= nextRef) return false;
  const rec = recordMaybe(records, ref, SERIES_SIZE);
  return rec != 0 && load<u64>(rec, S_METRIC_ID) != 0;
}

/** Deletes a live series; returns false for a ref that is not live. */
export function seriesRemove(ref: u32): bool {
  if (!seriesAlive(ref)) return false;
  const rec = seriesRecord(ref);
  const entry = <usize>load<u32>(rec, S_ENTRY);
  const n = load<u32>(entry, 12);
  tableRemove(load<u32>(rec, S_TAG), entry);
  postingsDead(pairFind(load<u32>(entry, 4), 0, 0));
  for (let i: u32 = 0; i < n; i++) postingsDead(load<u32>(<usize>load<u32>(entry + ENTRY_HEADER + (<usize>i << 2)) - 8));
  free(entry, ENTRY_HEADER + (<usize>n << 2));
  wireDrop(rec);
  store<u64>(rec, 0, S_METRIC_ID);
  store<u32>(rec, 0, S_ENTRY);
  vecPush(pending, ref);
  liveCount--;
  return true;
}

/** Drops deleted refs from the postings and makes them reusable (oldest deletion reused last). */
export function seriesPurge(): void {
  postingsPurge(records, SERIES_SIZE, S_METRIC_ID);
  const n = vecLen(pending);
  const data = vecData(pending);
  for (let i: u32 = 0; i < n; i++) vecPush(freeRefs, load<u32>(data + (<usize>i << 2)));
  vecClear(pending);
}

/** Puts back a series from a saved index under its saved ref and metric id. */
export function seriesRestore(ref: u32, tenant: u32, p: usize, len: u32, metricId: u64): void {
  if (ref >= nextRef) nextRef = ref + 1;
  attach(ref, tenant, p, len, metricId);
}

export function restoreFree(ref: u32): void {
  vecPush(freeRefs, ref);
}

export function restoreCounters(refs: u32, metricId: u64): void {
  if (refs > nextRef) nextRef = refs;
  nextMetricId = metricId;
}

/** Writes the canonical key of a live series to `out` (keyLength bytes), from its pairs' bytes. */
export function keyWrite(ref: u32, out: usize): u32 {
  const entry = <usize>load<u32>(seriesRecord(ref), S_ENTRY);
  const n = load<u32>(entry, 12);
  let o = out;
  for (let i: u32 = 0; i < n; i++) {
    const bytes = <usize>load<u32>(entry + ENTRY_HEADER + (<usize>i << 2));
    const len = <usize>load<u32>(bytes - 4);
    memory.copy(o, bytes, len);
    o += len;
  }
  return <u32>(o - out);
}

export function keyLength(ref: u32): u32 {
  return load<u32>(<usize>load<u32>(seriesRecord(ref), S_ENTRY), 8);
}

export function refLimit(): u32 {
  return nextRef;
}

export function seriesLive(): u32 {
  return liveCount;
}

export function nextMetric(): u64 {
  return nextMetricId;
}

export function freeCount(): u32 {
  return vecLen(freeRefs);
}

/** The free refs in the order they will be saved (and reused from the end). */
export function freeAt(i: u32): u32 {
  return load<u32>(vecData(freeRefs) + (<usize>i << 2));
}

export function pendingCount(): u32 {
  return vecLen(pending);
}
