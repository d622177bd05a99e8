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

/** `0:0` + \0name\1value per label: unique per (tenant, label set), and decodable. */
export function seriesKeyString(tenant: Tenant, labels: Labels): string {
  let k = `${tenant.accountId}:${tenant.projectId}`;
  for (const l of labels) k += `\u0000${l.name}\u0001${l.value}`;
  return k;
}

export function parseKeyString(key: string): { tenant: Tenant; labels: Label[] } {
  const [t, ...rest] = key.split('\u0000');
  const [a, p] = t!.split(':');
  const labels = rest.map((s) => {
    const i = s.indexOf('\u0001');
    return { name: s.slice(0, i), value: s.slice(i + 1) };
  });
  return { tenant: { accountId: Number(a), projectId: Number(p) }, labels };
}

export class SeriesRegistry {
  readonly slotKeys: string[] = [''];
  readonly groups: (GroupInfo | undefined)[];
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
    this.groups = [{ key: '', tenant: { accountId: 0, projectId: 0 }, labels: [], liveSlots: 0, lastActive: -Infinity, totals: new Float64Array(totals), outRefs: new Map() }];
    kernel.ensureSlots(1);
    kernel.ensureGroups(plan.rings);
  }

  get slotCount(): number {
    return this.slotKeys.length;
  }

  get groupCount(): number {
    return this.groups.length;
  }

  get liveSlots(): number {
    return this.#slotByKey.size;
  }

  get liveGroups(): number {
    return this.#groupByKey.size;
  }

  /** Fills the kernel's ref table for refs it reported unclassified. */
  classify(series: SeriesIndex, refs: ArrayLike<number>, maxRef: number): void {
    this.#kernel.ensureRefs(maxRef + 1);
    for (let i = 0; i < refs.length; i++) {
      const ref = refs[i]!;
      const table = this.#kernel.refTable();
      if (table[ref] !== 0) continue;
      table[ref] = this.#classifyOne(series.tenant(ref), series.labels(ref));
    }
  }

  #classifyOne(tenant: Tenant, labels: Labels): number {
    const p = this.#plan;
    const get = (n: string) => labels.find((l) => l.name === n)?.value;
    if (!matchesAny(p.selectors, get)) return NO_MATCH;
    let input: Label[] | undefined = p.dropInputLabels.size > 0 ? labels.filter((l) => !p.dropInputLabels.has(l.name)) : [...labels];
    if (!p.inputRelabel.empty) input = p.inputRelabel.apply(input);
    if (input === undefined || input.length === 0) return DISCARD + 1;
    return this.slotFor(tenant, input) + 1;
  }

  /** The slot of an input label set, created (with its group) when new. */
  slotFor(tenant: Tenant, input: Labels): number {
    const key = seriesKeyString(tenant, input);
    let slot = this.#slotByKey.get(key);
    if (slot !== undefined) return slot;
    slot = this.#freeSlots.pop() ?? this.slotKeys.length;
    this.#kernel.ensureSlots(slot + 1);
    this.#kernel.clearSlots(slot, slot + 1);
    this.slotKeys[slot] = key;
    this.#slotByKey.set(key, slot);
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

  /**
   * Forgets slots whose last sample is older than `before`, and groups left without slots whose
   * last activity is older than `groupBefore`. Refs pointing at forgotten slots become unclassified.
   */
  expire(before: number, groupBefore: number): { slots: number; groups: number } {
    const lastTs = this.#kernel.slots().lastTs;
    const dead = new Set<number>();
    for (let s = 1; s < this.slotKeys.length; s++) {
      const key = this.slotKeys[s]!;
      if (key === '' || !(lastTs[s]! < before)) continue;
      this.#slotByKey.delete(key);
      this.slotKeys[s] = '';
      this.#freeSlots.push(s);
      this.groups[this.#kernel.slots().group[s]!]!.liveSlots--;
      this.#kernel.clearSlots(s, s + 1);
      dead.add(s + 1);
    }
    if (dead.size > 0) {
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

  /** Replaces the (empty) registry with a saved one; the kernel's slot and group state follow. */
  load(state: RegistryState): void {
    this.slotKeys.length = 0;
    this.groups.length = 0;
    this.#slotByKey.clear();
    this.#groupByKey.clear();
    this.#freeSlots = [];
    this.#freeGroups = [];
    state.slotKeys.forEach((key, s) => {
      this.slotKeys.push(key);
      if (s === DISCARD) return;
      if (key === '') this.#freeSlots.push(s);
      else this.#slotByKey.set(key, s);
    });
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
    this.#kernel.ensureSlots(this.slotKeys.length);
    this.#kernel.ensureGroups(this.groups.length * this.#plan.rings);
  }

  /** Refs deleted from the series index may come back as other series: classify them again. */
  forgetRefs(refs: Uint32Array): void {
    const table = this.#kernel.refTable();
    for (const r of refs) if (r < table.length) table[r] = 0;
  }
}

/** What a registry is made of, for snapshots; refs are deliberately absent. */
export interface RegistryState {
  slotKeys: string[];
  groups: (Omit<GroupInfo, 'outRefs' | 'totals'> & { totals: number[] } | null)[];
}

/** Copies out the registry (slot and group identities by key). */
export function registryState(reg: SeriesRegistry): RegistryState {
  return {
    slotKeys: [...reg.slotKeys],
    groups: reg.groups.map((g) => (g ? { key: g.key, tenant: g.tenant, labels: g.labels, liveSlots: g.liveSlots, lastActive: g.lastActive, totals: Array.from(g.totals) } : null)),
  };
}
