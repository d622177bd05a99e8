// The open-addressing table from a series key to its arena entry. A slot is one u64:
// tag (32-bit hash) << 32 | entry address, 0 when empty. An arena entry (series.ts) holds the
// ref, tenant, key length and where its label pairs' bytes are, so a hit costs one slot load and
// one entry visit: the tag filters, then tenant, length and every label's bytes are verified
// against the pair dictionary's copy (no silent collisions).
//
// Growth never rehashes everything at once: a doubled table takes new keys while each insert
// moves MIGRATE_STEP slots of the old one, and lookups consult the old table until it is empty.
import { allocZeroed, free } from './alloc';
import { spanEqual } from './hash';

const MIGRATE_STEP: u32 = 64;
/** Marks a deleted slot in the table being migrated, so probes continue past it. */
const TOMBSTONE: u64 = 1;

let tab: usize = 0;
let mask: u32 = 0;
let oldTab: usize = 0;
let oldMask: u32 = 0;
let migratePos: u32 = 0;
let count: u32 = 0;
/** Test hook: AND-ed into every tag, so tests can force keys to collide. */
export let tagMask: u32 = 0xffffffff;

export function tableInit(capacity: u32): void {
  let cap: u32 = 16;
  while (cap < capacity) cap <<= 1;
  tab = allocZeroed(<usize>cap << 3);
  mask = cap - 1;
}

export function setTagMask(m: u32): void {
  tagMask = m;
}

export function tableCapacity(): u32 {
  return mask + 1 + (oldTab != 0 ? oldMask + 1 : 0);
}

/** Whether entry e is key [p, p + len) of `tenant`: the key is its pairs' bytes back to back. */
export function entryMatches(e: usize, tenant: u32, p: usize, len: u32): bool {
  if (load<u32>(e, 4) != tenant || load<u32>(e, 8) != len) return false;
  const n = load<u32>(e, 12);
  for (let i: u32 = 0; i < n; i++) {
    const bytes = <usize>load<u32>(e + 16 + (<usize>i << 2));
    const l = <usize>load<u32>(bytes - 4);
    if (!spanEqual(bytes, p, l)) return false;
    p += l;
  }
  return true;
}

function probe(t: usize, m: u32, tag: u32, tenant: u32, p: usize, len: u32): i32 {
  let i = tag & m;
  for (;;) {
    const s = load<u64>(t + (<usize>i << 3));
    if (s == 0) return -1;
    if (<u32>(s >>> 32) == tag && s != TOMBSTONE) {
      const e = <usize>(<u32>s);
      if (entryMatches(e, tenant, p, len)) return load<i32>(e);
    }
    i = (i + 1) & m;
  }
  return -1;
}

/** The ref of key [p, p + len) of `tenant`, or -1. */
export function tableFind(tag: u32, tenant: u32, p: usize, len: u32): i32 {
  const r = probe(tab, mask, tag, tenant, p, len);
  if (r >= 0 || oldTab == 0) return r;
  return probe(oldTab, oldMask, tag, tenant, p, len);
}

function place(t: usize, m: u32, slot: u64): void {
  let i = <u32>(slot >>> 32) & m;
  while (load<u64>(t + (<usize>i << 3)) != 0) i = (i + 1) & m;
  store<u64>(t + (<usize>i << 3), slot);
}

function migrate(steps: u32): void {
  const end = migratePos + min<u32>(steps, oldMask + 1 - migratePos);
  for (let i = migratePos; i < end; i++) {
    const s = load<u64>(oldTab + (<usize>i << 3));
    if (s != 0 && s != TOMBSTONE) place(tab, mask, s);
  }
  migratePos = end;
  if (end == oldMask + 1) {
    free(oldTab, <usize>(oldMask + 1) << 3);
    oldTab = 0;
  }
}

/** Adds an entry (its key must not be present). */
export function tableInsert(tag: u32, entry: usize): void {
  if (oldTab != 0) migrate(MIGRATE_STEP);
  count++;
  if (count << 1 > mask + 1) {
    if (oldTab != 0) migrate(0xffffffff);
    oldTab = tab;
    oldMask = mask;
    migratePos = 0;
    const cap = (mask + 1) << 1;
    tab = allocZeroed(<usize>cap << 3);
    mask = cap - 1;
  }
  place(tab, mask, (<u64>tag << 32) | <u64>entry);
}

function findSlot(t: usize, m: u32, tag: u32, entry: usize): i32 {
  let i = tag & m;
  for (;;) {
    const s = load<u64>(t + (<usize>i << 3));
    if (s == 0) return -1;
    if (<u32>s == <u32>entry && s != TOMBSTONE) return <i32>i;
    i = (i + 1) & m;
  }
  return -1;
}

/** Linear-probing deletion by backward shift: the table keeps no tombstones. */
function removeAt(t: usize, m: u32, at: u32): void {
  let i = at;
  let j = at;
  for (;;) {
    j = (j + 1) & m;
    const s = load<u64>(t + (<usize>j << 3));
    if (s == 0) break;
    const home = <u32>(s >>> 32) & m;
    // The entry at j may fill the hole at i unless its home lies cyclically in (i, j].
    const stays = i <= j ? home > i && home <= j : home > i || home <= j;
    if (!stays) {
      store<u64>(t + (<usize>i << 3), s);
      i = j;
    }
  }
  store<u64>(t + (<usize>i << 3), 0);
}

/** Removes the entry at `entry` (found by address, so no key comparison is needed). */
export function tableRemove(tag: u32, entry: usize): void {
  const at = findSlot(tab, mask, tag, entry);
  if (at >= 0) removeAt(tab, mask, <u32>at);
  if (oldTab != 0) {
    // The old table is only read until migration ends; a tombstone keeps its probe chains intact.
    const old = findSlot(oldTab, oldMask, tag, entry);
    if (old >= 0) store<u64>(oldTab + (<usize>old << 3), TOMBSTONE);
  }
  count--;
}

/** Bytes held by the table(s). */
export function tableBytes(): usize {
  return (<usize>(mask + 1) << 3) + (oldTab != 0 ? <usize>(oldMask + 1) << 3 : 0);
}

