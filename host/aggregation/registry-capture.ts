/**
 * A registry's snapshot in two parts: a copy of what changes, taken at once (SeriesRegistry.copy),
 * then the slow part in steps: the key bytes of every series by ref, and the groups as plain
 * objects. Samples, flushes and deletes may run between the steps; the copy keeps the result the
 * state of the instant it was taken.
 */
import type { SeriesIndex } from '../series/series-index.js';
import type { RegistryCopy, RegistryState, SeriesRegistry } from './series-registry.js';
import { started, type Steps } from './steps.js';

/** Items handled between two yields. */
const STEP = 1024;

/**
 * Copies the registry now. Until the returned steps end (run them to the end, or return() them),
 * refs deleted from the index are noted: their keys can no longer be read, and a ref may already
 * name another series.
 */
export function captureRegistry(registry: SeriesRegistry, series: SeriesIndex): Steps<RegistryState> {
  return started(
    (function* () {
      const copy = registry.copy();
      const deleted = new Set<number>();
      const unsubscribe = series.onDelete((refs) => {
        for (const r of refs) deleted.add(r);
      });
      try {
        yield;
        const groups = yield* groupStates(copy);
        if (!copy.byRef) return { slotKeys: yield* keyedSlots(copy), groups };
        return { slotSeries: yield* seriesKeys(copy, deleted, series), groups };
      } finally {
        unsubscribe();
      }
    })(),
  );
}

function* groupStates(c: RegistryCopy): Steps<RegistryState['groups']> {
  const T = c.totalsPerGroup;
  const out: RegistryState['groups'] = new Array(c.groups.length);
  for (let i = 0; i < c.groups.length; i++) {
    if (i > 0 && i % STEP === 0) yield;
    const g = c.groups[i];
    out[i] = g ? { key: g.key, tenant: g.tenant, labels: g.labels, liveSlots: c.liveSlots[i]!, lastActive: c.lastActive[i]!, totals: Array.from(c.totals.subarray(i * T, (i + 1) * T)) } : null;
  }
  return out;
}

function* keyedSlots(c: RegistryCopy): Steps<string[]> {
  const keys = c.slotKeys;
  keys[0] = '';
  for (let s = 1; s < c.slotCount; s++) {
    if (s % STEP === 0) yield;
    if (c.slotLive[s] === 0) keys[s] = '';
  }
  return keys;
}

/**
 * Slot s's series key at bytes[offsets[s], offsets[s + 1]), from one block of keys per step. A
 * series deleted since the copy is left out, as forgetRefs() would have freed its slot: its ref
 * may already name another series.
 */
function* seriesKeys(c: RegistryCopy, deleted: Set<number>, series: SeriesIndex): Steps<NonNullable<RegistryState['slotSeries']>> {
  const n = c.slotCount;
  const offsets = new Uint32Array(n + 1);
  const account = new Uint32Array(n);
  const project = new Uint32Array(n);
  // Blocks are kept as they are: joining them would copy the 80 MB of a million keys once more.
  const blocks: Uint8Array[] = [];
  const refs = new Uint32Array(STEP);
  const slots = new Uint32Array(STEP);
  let size = 0;
  for (let from = 1; from < n; from += STEP) {
    const to = Math.min(n, from + STEP);
    let m = 0;
    for (let s = from; s < to; s++) {
      const ref = c.slotRef[s]!;
      if (c.slotLive[s] === 0 || deleted.has(ref) || !series.has(ref)) continue;
      const t = series.tenant(ref);
      account[s] = t.accountId;
      project[s] = t.projectId;
      refs[m] = ref;
      slots[m++] = s;
    }
    const block = series.keys(refs.subarray(0, m));
    // A slot's key starts where the keys of the live slots before it end; a free slot's is empty.
    for (let s = from, j = 0; s < to; s++) {
      offsets[s] = size + block.offsets[j]!;
      if (j < m && slots[j] === s) j++;
    }
    if (block.bytes.length > 0) blocks.push(block.bytes);
    size += block.bytes.length;
    yield;
  }
  offsets[n] = size;
  return { bytes: blocks, offsets, account, project };
}

/** The parts back to back in one buffer. */
export function joinBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
