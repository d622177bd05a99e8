import type { Tenant } from '../batch/tenant.js';
import { CardinalityTracker, type SeriesLimits } from './cardinality.js';
import { METRIC_NAME, type Label, type Labels } from './labels.js';
import type { Matcher } from './matcher.js';
import { readIndexFile, writeIndexFile, type IndexImage, type IndexImageReader } from './series-file.js';
import type { CardinalityStats, LabelQuery, SeriesIndex } from './series-index.js';
import type { Tsid } from './tsid.js';

export interface SeriesIndexOptions {
  limits?: SeriesLimits;
  /** Clock for the new-series rate. */
  now?: () => number;
  /** Deleted refs waiting for a purge before an insert purges them (and starts reusing refs). */
  purgeThreshold?: number;
}

export const DEFAULT_PURGE_THRESHOLD = 1024;

/**
 * What both index implementations share: tenant ids, limits and the new-series rate, delete
 * listeners, the label APIs on top of select(), and the save/load flow. Subclasses supply the
 * storage. Every query purges first, in both, so they hand out the same refs after deletions.
 */
export abstract class SeriesIndexBase implements SeriesIndex {
  protected readonly cardinalityTracker: CardinalityTracker;
  protected readonly purgeThreshold: number;
  protected tenants: Tenant[] = [];
  #tenantIds = new Map<number, Map<number, number>>();
  #lastTenant: Tenant | undefined;
  #lastTenantId = 0;
  #listeners = new Set<(refs: Uint32Array) => void>();

  constructor(opts: SeriesIndexOptions) {
    this.cardinalityTracker = new CardinalityTracker(opts.limits, opts.now);
    this.purgeThreshold = opts.purgeThreshold ?? DEFAULT_PURGE_THRESHOLD;
  }

  abstract resolve(tenant: Tenant, labels: Labels): number;
  abstract resolveKey(tenant: Tenant, key: Uint8Array, length: number): number;
  abstract scratch(minBytes: number): Uint8Array;
  abstract resolveScratch(tenant: Tenant, length: number): number;
  abstract resolveScratchBatch(tenant: Tenant, offsets: Uint32Array, count: number, out: Uint32Array, checkNew?: (i: number) => void): void;
  abstract labels(ref: number): Labels;
  abstract key(ref: number): Uint8Array;

  keys(refs: ArrayLike<number>): { bytes: Uint8Array; offsets: Uint32Array } {
    const offsets = new Uint32Array(refs.length + 1);
    const parts: Uint8Array[] = [];
    for (let i = 0; i < refs.length; i++) {
      parts.push(this.key(refs[i]!));
      offsets[i + 1] = offsets[i]! + parts[i]!.length;
    }
    const bytes = new Uint8Array(offsets[refs.length]!);
    parts.forEach((p, i) => bytes.set(p, offsets[i]!));
    return { bytes, offsets };
  }

  abstract tsid(ref: number): Tsid;
  abstract has(ref: number): boolean;
  abstract get size(): number;
  protected abstract tenantIdOf(ref: number): number;
  protected abstract removeOne(ref: number): boolean;
  protected abstract purge(): void;
  protected abstract activeSeriesOf(tenantId: number): number;
  protected abstract activeForMetric(tenantId: number, name: string): number;
  /** Names, or values of one name, that have live series (any order). */
  protected abstract liveNames(tenantId: number): string[];
  protected abstract liveValues(tenantId: number, name: string): string[];
  /** select() after the purge, for a known tenant. */
  protected abstract selectIn(tenantId: number, matchers: readonly Matcher[]): Uint32Array;
  protected abstract image(): Omit<IndexImage, 'tenants'>;
  protected abstract restorer(): Omit<IndexImageReader, 'header'> & { counters(refLimit: number, nextPair: number, nextMetricId: number): void };

  /** The dense id of a tenant; `create` false answers -1 for a tenant never seen. */
  protected tenantId(t: Tenant, create = true): number {
    if (t === this.#lastTenant) return this.#lastTenantId;
    let byProject = this.#tenantIds.get(t.accountId);
    let id = byProject?.get(t.projectId);
    if (id === undefined) {
      if (!create) return -1;
      if (!byProject) this.#tenantIds.set(t.accountId, (byProject = new Map()));
      id = this.tenants.length;
      this.tenants.push({ accountId: t.accountId, projectId: t.projectId });
      byProject.set(t.projectId, id);
    }
    this.#lastTenant = t;
    this.#lastTenantId = id;
    return id;
  }

  tenant(ref: number): Tenant {
    return this.tenants[this.tenantIdOf(ref)]!;
  }

  delete(refs: ArrayLike<number>): number {
    const deleted: number[] = [];
    for (let i = 0; i < refs.length; i++) if (this.removeOne(refs[i]!)) deleted.push(refs[i]!);
    if (deleted.length > 0) {
      const out = Uint32Array.from(deleted);
      for (const l of this.#listeners) l(out);
    }
    return deleted.length;
  }

  onDelete(listener: (refs: Uint32Array) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  compact(): void {
    this.purge();
  }

  select(tenant: Tenant, matchers: readonly Matcher[]): Uint32Array {
    this.purge();
    const tid = this.tenantId(tenant, false);
    return tid < 0 ? new Uint32Array(0) : this.selectIn(tid, matchers);
  }

  labelNames(tenant: Tenant, opts: LabelQuery = {}): string[] {
    this.purge();
    const tid = this.tenantId(tenant, false);
    if (tid < 0) return [];
    if (!opts.matchers?.length) return sortLimit(this.liveNames(tid), opts.limit);
    const names = new Set<string>();
    for (const ref of this.selectIn(tid, opts.matchers)) for (const l of this.labels(ref)) names.add(l.name);
    return sortLimit([...names], opts.limit);
  }

  labelValues(tenant: Tenant, name: string, opts: LabelQuery = {}): string[] {
    this.purge();
    const tid = this.tenantId(tenant, false);
    if (tid < 0) return [];
    if (!opts.matchers?.length) return sortLimit(this.liveValues(tid, name), opts.limit);
    const values = new Set<string>();
    for (const ref of this.selectIn(tid, opts.matchers)) {
      const l = this.labels(ref).find((x) => x.name === name);
      if (l) values.add(l.value);
    }
    return sortLimit([...values], opts.limit);
  }

  series(tenant: Tenant, matchers: readonly Matcher[], opts: { limit?: number } = {}): Labels[] {
    const refs = this.select(tenant, matchers);
    const out = Array.from(refs, (ref) => this.labels(ref));
    out.sort(compareLabelSets);
    return opts.limit === undefined ? out : out.slice(0, opts.limit);
  }

  cardinality(tenant: Tenant): CardinalityStats {
    const tid = this.tenantId(tenant, false);
    if (tid < 0) return { activeSeries: 0, newSeriesLastMinute: 0, refusedSeries: 0 };
    return {
      activeSeries: this.activeSeriesOf(tid),
      newSeriesLastMinute: this.cardinalityTracker.newLastMinute(tid),
      refusedSeries: this.cardinalityTracker.refused(tid),
    };
  }

  topMetrics(tenant: Tenant, limit: number): { name: string; series: number }[] {
    const tid = this.tenantId(tenant, false);
    if (tid < 0) return [];
    const all = this.liveValues(tid, METRIC_NAME).map((name) => ({ name, series: this.activeForMetric(tid, name) }));
    all.sort((a, b) => b.series - a.series || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return all.slice(0, limit);
  }

  /** Admits a new series of tenant `tid` against the limits (throws LimitExceededError). */
  protected admit(tid: number, labels: () => Labels): void {
    this.cardinalityTracker.admit(tid, this.tenants[tid]!, this.activeSeriesOf(tid), labels, (name) => this.activeForMetric(tid, name));
  }

  async save(path: string): Promise<void> {
    this.purge();
    await writeIndexFile(path, { tenants: this.tenants, ...this.image() });
  }

  async load(path: string): Promise<void> {
    if (this.size > 0 || this.tenants.length > 0) throw new Error(`Cannot load series index ${path}: the index is not empty`);
    const r = this.restorer();
    let counters: [number, number, number] = [0, 1, 1];
    await readIndexFile(path, {
      header: (h) => {
        for (const t of h.tenants) this.tenantId(t);
        counters = [h.refLimit, h.nextPair, h.nextMetricId];
      },
      pair: r.pair,
      series: r.series,
      free: r.free,
    });
    r.counters(...counters);
  }
}

function sortLimit(values: string[], limit: number | undefined): string[] {
  values.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return limit === undefined ? values : values.slice(0, limit);
}

/** Prometheus's order of label sets: label by label, name then value; a prefix sorts first. */
export function compareLabelSets(a: Labels, b: Labels): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x: Label = a[i]!;
    const y: Label = b[i]!;
    if (x.name !== y.name) return x.name < y.name ? -1 : 1;
    if (x.value !== y.value) return x.value < y.value ? -1 : 1;
  }
  return a.length - b.length;
}
