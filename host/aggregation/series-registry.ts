/**
 * Which input series (slots) and output groups a rule has. A ref is classified once: selector,
 * drop_input_labels, input relabeling, then the slot for the resulting label set and the group for
 * its by/without labels. Slots and groups are keyed by tenant and labels, never by ref alone, so
 * they survive the series index reusing a ref, a restart and a hot swap.
 */
import type { Tenant } from '../batch/tenant.js';
import { NO_MATCH, type StreamAggregator } from '../kernels/stream-aggregator.js';
import { METRIC_NAME, type Label, type Labels } from '../series/labels.js';
import type { SeriesIndex } from '../series/series-index.js';
import { joinBytes } from './registry-capture.js';
import type { RulePlan } from './rule-plan.js';
import { matchesAny } from './selector.js';

/** Slot 0 and group 0 take series that matched but were dropped by input relabeling. */
export const DISCARD = 0;

export interface GroupInfo {
  key: string;
  tenant: Tenant;
  /** Output labels before renaming: __name__ plus the by/without labels. */
  labels: Label[];
  liveSlots: number;
  /** Flush boundary of the last window with samples; -Infinity before the first. */
  lastActive: number;
  /** Running values of cumulative outputs (total, total_prometheus, sum_samples_total). */
  totals: Float64Array;
  /** Output refs by output series number (output position * 1024 + quantile or bucket). */
  outRefs: Map<number, number>;
}

/** `0:0` + \0name\1value per label: unique per (tenant, label set). */
export function seriesKeyString(tenant: Tenant, labels: Labels): string {
  let k = `${tenant.accountId}:${tenant.projectId}`;
  for (const l of labels) k += `\u0000${l.name}\u0001${l.value}`;
  return k;
}

export class SeriesRegistry {
  readonly groups: (GroupInfo | undefined)[];
  /**
   * Without drop_input_labels and input relabeling an input series is its ref: slots are found by
   * ref through the kernel's table and no key is stored per series (what keeps the state near 30
   * bytes per series). Otherwise several refs may share a slot, found by the label key.
   */
  readonly byRef: boolean;
  #slotRef: Uint32Array = new Uint32Array(1024);
  #slotLive: Uint8Array = new Uint8Array(1024);
  #slotKey: string[] = [''];
  #slotCount = 1;
  #live = 0;
  #slotByKey = new Map<string, number>();
  #groupByKey = new Map<string, number>();
  #freeSlots: number[] = [];
  #freeGroups: number[] = [];
  #plan: RulePlan;
  #kernel: StreamAggregator;
  #totals: number;

  constructor(plan: RulePlan, kernel: StreamAggregator, totals: number) {
    this.#plan = plan;
    this.#kernel = kernel;
    this.#totals = totals;
    this.byRef = plan.dropInputLabels.size === 0 && plan.inputRelabel.empty;
    this.groups = [{ key: '', tenant: { accountId: 0, projectId: 0 }, labels: [], liveSlots: 0, lastActive: -Infinity, totals: new Float64Array(totals), outRefs: new Map() }];
    kernel.ensureSlots(1);
    kernel.ensureGroups(plan.rings);
  }

  get slotCount(): number {
    return this.#slotCount;
  }

  get groupCount(): number {
    return this.groups.length;
  }

  get liveSlots(): number {
    return this.#live;
  }

  /** Bytes of the registry's per-slot typed arrays (keys, when kept, are counted by the heap). */
  get slotBytes(): number {
    return this.#slotRef.byteLength + this.#slotLive.byteLength;
  }

  get liveGroups(): number {
    return this.#groupByKey.size;
  }

  /** Fills the kernel's ref table for refs it reported unclassified. */
  classify(series: SeriesIndex, refs: ArrayLike<number>, maxRef: number): void {
    this.#kernel.ensureRefs(maxRef + 1);
    for (let i = 0; i < refs.length; i++) {
      const ref = refs[i]!;
      if (this.#kernel.refTable()[ref] !== 0) continue;
      const v = this.#classifyOne(ref, series.tenant(ref), series.labels(ref));
      this.#kernel.refTable()[ref] = v;
    }
  }

  #classifyOne(ref: number, tenant: Tenant, labels: Labels): number {
    const p = this.#plan;
    const get = (n: string) => labels.find((l) => l.name === n)?.value;
    if (!matchesAny(p.selectors, get)) return NO_MATCH;
    if (this.byRef) return this.#newSlot(tenant, labels, ref) + 1;
    let input: Label[] | undefined = p.dropInputLabels.size > 0 ? labels.filter((l) => !p.dropInputLabels.has(l.name)) : [...labels];
    if (!p.inputRelabel.empty) input = p.inputRelabel.apply(input);
    if (input === undefined || input.length === 0) return DISCARD + 1;
    return this.slotFor(tenant, input) + 1;
  }

  /** The slot of an input label set (keyed mode), created (with its group) when new. */
  slotFor(tenant: Tenant, input: Labels): number {
    const key = seriesKeyString(tenant, input);
    const found = this.#slotByKey.get(key);
    if (found !== undefined) return found;
    const slot = this.#newSlot(tenant, input, 0);
    this.#slotKey[slot] = key;
    this.#slotByKey.set(key, slot);
    return slot;
  }

  #newSlot(tenant: Tenant, input: Labels, ref: number): number {
    const slot = this.#freeSlots.pop() ?? this.#slotCount++;
    if (slot >= this.#slotRef.length) {
      this.#slotRef = growU32(this.#slotRef, slot + 1);
      const live = new Uint8Array(this.#slotRef.length);
      live.set(this.#slotLive);
      this.#slotLive = live;
    }
    this.#slotRef[slot] = ref;
    this.#slotLive[slot] = 1;
    this.#live++;
    this.#kernel.ensureSlots(slot + 1);
    this.#kernel.clearSlots(slot, slot + 1);
    const g = this.groupFor(tenant, this.#groupLabels(input));
    this.groups[g]!.liveSlots++;
    this.#kernel.slots().group[slot] = g;
    return slot;
  }

  groupFor(tenant: Tenant, labels: Label[]): number {
    const key = seriesKeyString(tenant, labels);
    let g = this.#groupByKey.get(key);
    if (g !== undefined) return g;
    g = this.#freeGroups.pop() ?? this.groups.length;
    this.#kernel.ensureGroups((g + 1) * this.#plan.rings);
    this.#kernel.resetGroups(g * this.#plan.rings, (g + 1) * this.#plan.rings);
    this.groups[g] = { key, tenant, labels, liveSlots: 0, lastActive: -Infinity, totals: new Float64Array(this.#totals), outRefs: new Map() };
    this.#groupByKey.set(key, g);
    return g;
  }

  #groupLabels(input: Labels): Label[] {
    const { by, without } = this.#plan;
    if (by) return input.filter((l) => l.name === METRIC_NAME || by.includes(l.name));
    if (without) return input.filter((l) => l.name === METRIC_NAME || !without.includes(l.name));
    return [...input];
  }

  /** Forgets slot s: its state, its key, and (by ref) the ref pointing at it. */
  #freeSlot(s: number): void {
    if (this.byRef) {
      const table = this.#kernel.refTable();
      const ref = this.#slotRef[s]!;
      if (ref < table.length && table[ref] === s + 1) table[ref] = 0;
    } else {
      this.#slotByKey.delete(this.#slotKey[s]!);
      this.#slotKey[s] = '';
    }
    this.#slotLive[s] = 0;
    this.#live--;
    this.#freeSlots.push(s);
    this.groups[this.#kernel.slots().group[s]!]!.liveSlots--;
    this.#kernel.clearSlots(s, s + 1);
  }

  /**
   * Forgets slots whose last sample is older than `before`, and groups left without slots whose
   * last activity is older than `groupBefore`. Refs pointing at forgotten slots become unclassified.
   */
  expire(before: number, groupBefore: number): { slots: number; groups: number } {
    const lastTs = this.#kernel.slots().lastTs;
    const dead = new Set<number>();
    for (let s = 1; s < this.#slotCount; s++) {
      if (this.#slotLive[s] === 0 || !(lastTs[s]! < before)) continue;
      this.#freeSlot(s);
      dead.add(s + 1);
    }
    if (dead.size > 0 && !this.byRef) {
      const table = this.#kernel.refTable();
      for (let r = 0; r < table.length; r++) if (dead.has(table[r]!)) table[r] = 0;
    }
    let groups = 0;
    for (let g = 1; g < this.groups.length; g++) {
      const info = this.groups[g];
      if (!info || info.liveSlots > 0 || !(info.lastActive < groupBefore)) continue;
      this.#groupByKey.delete(info.key);
      this.groups[g] = undefined;
      this.#freeGroups.push(g);
      groups++;
    }
    return { slots: dead.size, groups };
  }

  /**
   * Refs deleted from the series index may come back as other series. Keyed slots just lose the
   * ref (it is classified again); a slot that is its ref goes with it.
   */
  forgetRefs(refs: Uint32Array): void {
    // Output series are refs too: a deleted one is resolved again on the next flush.
    const deleted = new Set(refs);
    for (const g of this.groups) if (g) for (const [k, ref] of g.outRefs) if (deleted.has(ref)) g.outRefs.delete(k);
    const table = this.#kernel.refTable();
    for (const r of refs) {
      if (r >= table.length) continue;
      const v = table[r]!;
      if (this.byRef && v !== 0 && v !== NO_MATCH && v !== DISCARD + 1) this.#freeSlot(v - 1);
      table[r] = 0;
    }
  }

  /**
   * The registry's changing parts as of now, copied (typed arrays are one memcpy each; group
   * objects are shared, their key, tenant and labels never change). registry-capture.ts turns
   * the copy into a RegistryState.
   */
  copy(): RegistryCopy {
    const n = this.#slotCount;
    const T = this.#totals;
    const groups = this.groups.slice();
    const liveSlots = new Uint32Array(groups.length);
    const lastActive = new Float64Array(groups.length);
    const totals = new Float64Array(groups.length * T);
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i];
      if (!g) continue;
      liveSlots[i] = g.liveSlots;
      lastActive[i] = g.lastActive;
      for (let k = 0; k < T; k++) totals[i * T + k] = g.totals[k]!;
    }
    return {
      byRef: this.byRef,
      slotCount: n,
      slotRef: this.#slotRef.slice(0, n),
      slotLive: this.#slotLive.slice(0, n),
      slotKeys: this.byRef ? [] : this.#slotKey.slice(0, n),
      groups,
      liveSlots,
      lastActive,
      totals,
      totalsPerGroup: T,
    };
  }

  /**
   * Replaces the (empty) registry with a saved one, keeping slot numbers so the kernel state that
   * follows lines up. By ref, each saved series is resolved in this process's index now.
   */
  load(state: RegistryState, series: SeriesIndex): void {
    this.groups.length = 0;
    this.#groupByKey.clear();
    this.#freeGroups = [];
    state.groups.forEach((g, i) => {
      if (g === null) {
        this.groups.push(undefined);
        this.#freeGroups.push(i);
        return;
      }
      const totals = new Float64Array(this.#totals);
      totals.set(g.totals.slice(0, this.#totals));
      this.groups.push({ ...g, totals, outRefs: new Map() });
      if (i !== 0) this.#groupByKey.set(g.key, i);
    });
    this.#kernel.ensureGroups(this.groups.length * this.#plan.rings);
    const series_ = state.slotSeries;
    const keyBytes = series_ && (Array.isArray(series_.bytes) ? joinBytes(series_.bytes) : series_.bytes);
    const n = series_ ? series_.offsets.length - 1 : state.slotKeys?.length ?? 1;
    this.#slotCount = Math.max(1, n);
    this.#slotRef = growU32(new Uint32Array(0), this.#slotCount);
    this.#slotLive = new Uint8Array(this.#slotRef.length);
    this.#slotKey = [''];
    this.#slotByKey.clear();
    this.#freeSlots = [];
    this.#live = 0;
    this.#kernel.ensureSlots(this.#slotCount);
    for (let s = 1; s < n; s++) {
      let ref = -1;
      let key = '';
      if (series_) {
        const from = series_.offsets[s]!;
        const to = series_.offsets[s + 1]!;
        // A snapshot by ref only loads into a registry by ref (same rule, same fingerprint).
        if (to > from) ref = series.resolveKey({ accountId: series_.account[s]!, projectId: series_.project[s]! }, keyBytes!.subarray(from, to), to - from);
      } else key = state.slotKeys![s] ?? '';
      this.#slotKey[s] = key;
      if (ref < 0 && key === '') {
        this.#freeSlots.push(s);
        continue;
      }
      this.#slotLive[s] = 1;
      this.#live++;
      if (ref < 0) {
        this.#slotByKey.set(key, s);
        continue;
      }
      this.#kernel.ensureRefs(ref + 1);
      this.#kernel.refTable()[ref] = s + 1;
      this.#slotRef[s] = ref;
    }
  }

  /**
   * Once the kernel's slot arrays hold the saved state: a slot left free (its series was deleted
   * while the snapshot was taken) keeps none of it, and each group counts the slots restored.
   */
  settle(): void {
    const group = this.#kernel.slots().group;
    for (const g of this.groups) if (g) g.liveSlots = 0;
    for (let s = 1; s < this.#slotCount; s++) {
      if (this.#slotLive[s] === 0) this.#kernel.clearSlots(s, s + 1);
      else this.groups[group[s]!]!.liveSlots++;
    }
  }
}

function growU32(a: Uint32Array, need: number): Uint32Array {
  let cap = Math.max(1024, a.length);
  while (cap < need) cap *= 2;
  const next = new Uint32Array(cap);
  next.set(a);
  return next;
}

/** What a registry is made of, for snapshots; refs are deliberately absent. */
export interface RegistryState {
  /** Keyed slots (input relabeling or drop_input_labels): the key of each slot, '' when free. */
  slotKeys?: string[];
  /**
   * Slots by ref: canonical series key bytes of slot s at bytes[offsets[s], offsets[s+1]), empty
   * when free. Snapshots leave the bytes in consecutive blocks, one per capture step (joined on
   * load); those of earlier versions in one buffer.
   */
  slotSeries?: { bytes: Uint8Array | Uint8Array[]; offsets: Uint32Array; account: Uint32Array; project: Uint32Array };
  groups: ((Omit<GroupInfo, 'outRefs' | 'totals'> & { totals: number[] }) | null)[];
}

/** The registry as of one instant, for registry-capture.ts; see SeriesRegistry.copy(). */
export interface RegistryCopy {
  byRef: boolean;
  slotCount: number;
  slotRef: Uint32Array;
  slotLive: Uint8Array;
  /** Keyed slots: the key of each slot, '' when free (empty by ref). */
  slotKeys: string[];
  groups: (GroupInfo | undefined)[];
  liveSlots: Uint32Array;
  lastActive: Float64Array;
  totals: Float64Array;
  totalsPerGroup: number;
}
