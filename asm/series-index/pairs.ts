// The label-pair dictionary and its postings. A pair is one tenant's `name=value`, kept as the
// canonical key bytes of that single label (varint name, varint value); the pair with no bytes is
// the tenant itself, whose postings list every series of the tenant. Pair ids are dense from 1
// and appear in TSIDs, so they are never reused.
//
// Postings are sorted ref lists. Appending a new ref keeps them sorted; appending a reused
// (smaller) ref marks the list unsorted, and deleting a ref only counts it: purge() later drops
// the dead refs and restores order once per list, not once per deleted series.
import { alloc, allocZeroed, free } from './alloc';
import { bytesEqual, hashBytes, tagOf } from './hash';
import { recordAt, recordEnsure, recordMaybe, recordsNew } from './records';
import { sortU32 } from './sets';
import { vecClear, vecData, vecLen, vecNew, vecPush } from './vec';

/** Pair record layout (bytes). */
export const PAIR_SIZE: usize = 32;
export const P_BYTES: usize = 0;
export const P_LEN: usize = 4;
export const P_TENANT: usize = 8;
export const P_POST: usize = 12;
export const P_POST_LEN: usize = 16;
export const P_POST_CAP: usize = 20;
export const P_LIVE: usize = 24;

const FLAG_DIRTY: u32 = 1;
const FLAG_UNSORTED: u32 = 2;
const SEED: u64 = 0x5bd1e9955bd1e995;

let pairs: usize = 0;
let nextPair: u32 = 1;
let ptab: usize = 0;
let pmask: u32 = 0;
let pcount: u32 = 0;
let dirty: usize = 0;
/** Per pair, 8 bytes: flags, and the sorted prefix length while FLAG_UNSORTED. */
let flags: usize = 0;
let mergeBuf: usize = 0;
let mergeCap: u32 = 0;

export function pairsInit(): void {
  pairs = recordsNew();
  ptab = allocZeroed(1024 << 2);
  pmask = 1023;
  dirty = vecNew();
  flags = recordsNew();
}

export function pairCount(): u32 {
  return nextPair;
}

/** After a restore: ids of pairs that were not saved (no live series) stay unused. */
export function pairsSetNext(n: u32): void {
  if (n > nextPair) nextPair = n;
}

@inline export function pairAt(id: u32): usize {
  return recordAt(pairs, id, PAIR_SIZE);
}

/** The record of pair `id`, or 0 for an id never created. */
export function pairRecordMaybe(id: u32): usize {
  return id == 0 || id >= nextPair ? 0 : recordMaybe(pairs, id, PAIR_SIZE);
}

@inline function pairFlags(id: u32): usize {
  return recordEnsure(flags, id, 8);
}

@inline function pairTag(tenant: u32, p: usize, len: u32): u32 {
  return tagOf(hashBytes(SEED ^ (<u64>tenant * 0x9e3779b97f4a7c15), p, len));
}

/** The id of the pair [p, p + len) of `tenant`, or 0. */
export function pairFind(tenant: u32, p: usize, len: u32): u32 {
  let i = pairTag(tenant, p, len) & pmask;
  for (;;) {
    const id = load<u32>(ptab + (<usize>i << 2));
    if (id == 0) return 0;
    const r = pairAt(id);
    if (load<u32>(r, P_TENANT) == tenant && load<u32>(r, P_LEN) == len && bytesEqual(load<u32>(r, P_BYTES), p, len)) return id;
    i = (i + 1) & pmask;
  }
  return 0;
}

function placePair(id: u32): void {
  const r = pairAt(id);
  let i = pairTag(load<u32>(r, P_TENANT), load<u32>(r, P_BYTES), load<u32>(r, P_LEN)) & pmask;
  while (load<u32>(ptab + (<usize>i << 2)) != 0) i = (i + 1) & pmask;
  store<u32>(ptab + (<usize>i << 2), id);
}

/** Marks a retired pair's record (P_BYTES): no real bytes block lives at address 1. */
export const RETIRED: u32 = 1;
let retired: u32 = 0;

export function pairsRetired(): u32 {
  return retired;
}

/**
 * Forgets a pair whose last series is gone: out of the table, bytes and postings freed, the record
 * marked RETIRED. Its id is not reused (TSIDs of deleted series may still be remembered somewhere);
 * if the pair comes back it gets a new id. So the dictionary shrinks with churn instead of
 * keeping every label value ever seen.
 */
function retirePair(id: u32): void {
  const r = pairAt(id);
  const len = load<u32>(r, P_LEN);
  const bytes = <usize>load<u32>(r, P_BYTES);
  let i = pairTag(load<u32>(r, P_TENANT), bytes, len) & pmask;
  while (load<u32>(ptab + (<usize>i << 2)) != id) i = (i + 1) & pmask;
  // Backward-shift deletion, as in the series table: later entries of the probe run move up.
  let j = i;
  for (;;) {
    j = (j + 1) & pmask;
    const other = load<u32>(ptab + (<usize>j << 2));
    if (other == 0) break;
    const o = pairAt(other);
    const home = pairTag(load<u32>(o, P_TENANT), load<u32>(o, P_BYTES), load<u32>(o, P_LEN)) & pmask;
    const stays = i <= j ? home > i && home <= j : home > i || home <= j;
    if (!stays) {
      store<u32>(ptab + (<usize>i << 2), other);
      i = j;
    }
  }
  store<u32>(ptab + (<usize>i << 2), 0);
  pcount--;
  if (len > 0) free(bytes - 8, <usize>len + 16);
  free(load<u32>(r, P_POST), <usize>load<u32>(r, P_POST_CAP) << 2);
  store<u32>(r, RETIRED, P_BYTES);
  store<u32>(r, 0, P_LEN);
  store<u32>(r, 0, P_POST);
  store<u32>(r, 0, P_POST_CAP);
  retired++;
}

function growPairTable(): void {
  const oldTab = ptab;
  const oldCap = pmask + 1;
  const cap = oldCap << 1;
  ptab = allocZeroed(<usize>cap << 2);
  pmask = cap - 1;
  for (let i: u32 = 0; i < oldCap; i++) {
    const id = load<u32>(oldTab + (<usize>i << 2));
    if (id != 0) placePair(id);
  }
  free(oldTab, <usize>oldCap << 2);
}

/** Creates pair `id` (from restore) or the next id (0) for bytes not yet in the dictionary. */
export function pairCreate(tenant: u32, p: usize, len: u32, id: u32): u32 {
  if (id == 0) id = nextPair;
  if (id >= nextPair) nextPair = id + 1;
  const r = recordEnsure(pairs, id, PAIR_SIZE);
  // [id u32][len u32][bytes][8 bytes of slack]: series entries point at the bytes and find id and
  // length just before them; the slack lets short spans be compared with one word load.
  let bytes: usize = 0;
  if (len > 0) {
    bytes = alloc(<usize>len + 16) + 8;
    store<u32>(bytes - 8, id);
    store<u32>(bytes - 4, len);
    memory.copy(bytes, p, len);
  }
  store<u32>(r, <u32>bytes, P_BYTES);
  store<u32>(r, len, P_LEN);
  store<u32>(r, tenant, P_TENANT);
  pcount++;
  if (pcount << 1 > pmask + 1) growPairTable();
  placePair(id);
  return id;
}

export function pairIntern(tenant: u32, p: usize, len: u32): u32 {
  const id = pairFind(tenant, p, len);
  return id != 0 ? id : pairCreate(tenant, p, len, 0);
}

function markDirty(id: u32): void {
  const f = pairFlags(id);
  if ((load<u32>(f) & FLAG_DIRTY) == 0) {
    store<u32>(f, load<u32>(f) | FLAG_DIRTY);
    vecPush(dirty, id);
  }
}

/** Adds `ref` to the postings of pair `id`. */
export function postingsAdd(id: u32, ref: u32): void {
  const r = pairAt(id);
  const len = load<u32>(r, P_POST_LEN);
  let cap = load<u32>(r, P_POST_CAP);
  let list = <usize>load<u32>(r, P_POST);
  if (len == cap) {
    const ncap: u32 = cap == 0 ? 2 : cap << 1;
    const nlist = alloc(<usize>ncap << 2);
    if (len > 0) memory.copy(nlist, list, <usize>len << 2);
    free(list, <usize>cap << 2);
    list = nlist;
    store<u32>(r, <u32>list, P_POST);
    store<u32>(r, ncap, P_POST_CAP);
  }
  store<u32>(list + (<usize>len << 2), ref);
  store<u32>(r, len + 1, P_POST_LEN);
  store<u32>(r, load<u32>(r, P_LIVE) + 1, P_LIVE);
  if (len > 0 && ref < load<u32>(list + (<usize>(len - 1) << 2))) {
    const f = pairFlags(id);
    if ((load<u32>(f) & FLAG_UNSORTED) == 0) {
      store<u32>(f, load<u32>(f) | FLAG_UNSORTED);
      store<u32>(f, len, 4);
    }
    markDirty(id);
  }
}

/** Counts `ref` of pair `id` as deleted; purge() drops it from the list. */
export function postingsDead(id: u32): void {
  const r = pairAt(id);
  store<u32>(r, load<u32>(r, P_LIVE) - 1, P_LIVE);
  markDirty(id);
}

function ensureMerge(n: u32): void {
  if (n <= mergeCap) return;
  free(mergeBuf, <usize>mergeCap << 2);
  mergeCap = n < 1024 ? 1024 : n;
  mergeBuf = alloc(<usize>mergeCap << 2);
}

/** Drops dead refs (those `isLive` says no to) and restores sorted order of one pair's list. */
function purgePair(id: u32, liveTable: usize, liveSize: usize, liveOffset: usize): void {
  const r = pairAt(id);
  const f = pairFlags(id);
  const list = <usize>load<u32>(r, P_POST);
  const len = load<u32>(r, P_POST_LEN);
  const unsorted = (load<u32>(f) & FLAG_UNSORTED) != 0;
  const sortedLen = unsorted ? load<u32>(f, 4) : len;
  let w: u32 = 0;
  let sortedKept: u32 = 0;
  for (let i: u32 = 0; i < len; i++) {
    const ref = load<u32>(list + (<usize>i << 2));
    if (load<u64>(recordAt(liveTable, ref, liveSize) + liveOffset) != 0) {
      store<u32>(list + (<usize>w << 2), ref);
      w++;
      if (i < sortedLen) sortedKept = w;
    }
  }
  if (unsorted && w > sortedKept) {
    const tail = w - sortedKept;
    sortU32(list + (<usize>sortedKept << 2), tail);
    // Merge from the back: the tail waits in mergeBuf while the prefix shifts into place.
    ensureMerge(tail);
    memory.copy(mergeBuf, list + (<usize>sortedKept << 2), <usize>tail << 2);
    let a = <i32>sortedKept - 1;
    let b = <i32>tail - 1;
    let o = <i32>w - 1;
    while (b >= 0) {
      const vb = load<u32>(mergeBuf + (<usize>b << 2));
      if (a >= 0 && load<u32>(list + (<usize>a << 2)) > vb) {
        store<u32>(list + (<usize>o << 2), load<u32>(list + (<usize>a << 2)));
        a--;
      } else {
        store<u32>(list + (<usize>o << 2), vb);
        b--;
      }
      o--;
    }
  }
  store<u32>(r, w, P_POST_LEN);
  store<u32>(f, 0);
  if (w == 0) {
    retirePair(id);
    return;
  }
  // A list that shrank to a quarter of its block moves to a smaller one, so churn does not pin memory.
  const cap = load<u32>(r, P_POST_CAP);
  if (cap > 16 && w << 2 < cap) {
    let ncap: u32 = 2;
    while (ncap < w) ncap <<= 1;
    const nlist = alloc(<usize>ncap << 2);
    if (w > 0) memory.copy(nlist, list, <usize>w << 2);
    free(list, <usize>cap << 2);
    store<u32>(r, <u32>nlist, P_POST);
    store<u32>(r, ncap, P_POST_CAP);
  }
}

/** Brings every dirty pair's postings up to date; a series is live when its u64 at liveOffset != 0. */
export function postingsPurge(liveTable: usize, liveSize: usize, liveOffset: usize): void {
  const n = vecLen(dirty);
  const ids = vecData(dirty);
  for (let i: u32 = 0; i < n; i++) purgePair(load<u32>(ids + (<usize>i << 2)), liveTable, liveSize, liveOffset);
  vecClear(dirty);
}
