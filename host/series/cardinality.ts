import type { Tenant } from '../batch/tenant.js';
import { formatTenant } from '../batch/tenant.js';
import { LimitExceededError } from '../errors.js';
import { metricName, type Labels } from './labels.js';

/** Per-tenant series limits. The check runs for new series only; known series always resolve. */
export interface SeriesLimits {
  /** Active series a tenant may have. */
  maxSeriesPerTenant?: number;
  /** Active series one metric name of a tenant may have. */
  maxSeriesPerMetric?: number;
  /** A custom rule: return a reason to refuse the series, or undefined to admit it. */
  check?: (series: NewSeries) => string | undefined;
}

/** What a limit sees of a series about to be created. */
export interface NewSeries {
  readonly tenant: Tenant;
  readonly labels: Labels;
  /** The tenant's active series before this one. */
  readonly activeSeries: number;
  /** Active series of this series' metric name in the tenant, before this one. */
  readonly activeForMetric: number;
}

const BUCKET_MS = 10_000;
const BUCKETS = 6;

interface TenantCounters {
  refused: number;
  stamps: Float64Array;
  counts: Float64Array;
}

/**
 * Admission of new series against the limits, and the per-tenant new-series rate (a one-minute
 * window of six 10-second buckets, so the figure moves smoothly rather than jumping each minute).
 */
export class CardinalityTracker {
  readonly #limits: SeriesLimits;
  readonly #now: () => number;
  readonly #tenants = new Map<number, TenantCounters>();
  readonly #decodeNeeded: boolean;

  constructor(limits: SeriesLimits = {}, now: () => number = Date.now) {
    this.#limits = limits;
    this.#now = now;
    this.#decodeNeeded = limits.maxSeriesPerMetric !== undefined || limits.check !== undefined;
  }

  /** Whether admit() needs the labels (so a kernel path can skip decoding them otherwise). */
  get needsLabels(): boolean {
    return this.#decodeNeeded;
  }

  /**
   * Throws LimitExceededError, naming the tenant and the limit, when the series must be refused.
   * `labels` and `activeForMetric` are only called when a limit needs them.
   */
  admit(tenantId: number, tenant: Tenant, activeSeries: number, labels: () => Labels, activeForMetric: (name: string) => number): void {
    const l = this.#limits;
    let reason: string | undefined;
    if (l.maxSeriesPerTenant !== undefined && activeSeries >= l.maxSeriesPerTenant) {
      reason = `${activeSeries} active series, limit ${l.maxSeriesPerTenant}`;
    } else if (this.#decodeNeeded) {
      const ls = labels();
      const name = metricName(ls);
      const forMetric = activeForMetric(name);
      if (l.maxSeriesPerMetric !== undefined && forMetric >= l.maxSeriesPerMetric) {
        reason = `metric ${JSON.stringify(name)} has ${forMetric} active series, limit ${l.maxSeriesPerMetric}`;
      } else if (l.check) {
        reason = l.check({ tenant, labels: ls, activeSeries, activeForMetric: forMetric });
      }
    }
    if (reason !== undefined) {
      this.#counters(tenantId).refused++;
      throw new LimitExceededError(`series limit exceeded for tenant ${formatTenant(tenant)}: ${reason}`);
    }
  }

  /** Counts a series just created. */
  created(tenantId: number): void {
    const c = this.#counters(tenantId);
    const slot = Math.floor(this.#now() / BUCKET_MS);
    const i = slot % BUCKETS;
    if (c.stamps[i] !== slot) {
      c.stamps[i] = slot;
      c.counts[i] = 0;
    }
    c.counts[i]!++;
  }

  newLastMinute(tenantId: number): number {
    const c = this.#tenants.get(tenantId);
    if (!c) return 0;
    const slot = Math.floor(this.#now() / BUCKET_MS);
    let n = 0;
    for (let i = 0; i < BUCKETS; i++) if (c.stamps[i]! > slot - BUCKETS) n += c.counts[i]!;
    return n;
  }

  refused(tenantId: number): number {
    return this.#tenants.get(tenantId)?.refused ?? 0;
  }

  #counters(tenantId: number): TenantCounters {
    let c = this.#tenants.get(tenantId);
    if (!c) {
      c = { refused: 0, stamps: new Float64Array(BUCKETS).fill(-Infinity), counts: new Float64Array(BUCKETS) };
      this.#tenants.set(tenantId, c);
    }
    return c;
  }
}
