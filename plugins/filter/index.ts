import type { SampleBatch } from '../../host/batch/sample-batch.js';
import { isStaleNaN } from '../../host/batch/stale.js';
import { formatTenant, parseTenant } from '../../host/batch/tenant.js';
import { LimitExceededError } from '../../host/errors.js';
import type { PluginContext } from '../../host/plugin/context.js';
import { PLUGIN_API_VERSION, type Component, type Consumer, type PluginManifest } from '../../host/plugin/manifest.js';
import { onIndexDelete } from '../../host/relabel/ref-keyed.js';
import { filterSchema, LimitTable, type FilterConfig, type TenantLimits } from './config.js';
import { keepRows } from './keep-rows.js';
import { SeriesLimiter, type SeriesLimiterState } from './series-limiter.js';
import { TokenBucket } from './token-bucket.js';

const HOUR = 3_600_000;

/** Why a sample was dropped: the `reason` label of sluice_filter_dropped_samples_total. */
export const DROP_REASONS = ['nan', 'stale_marker', 'too_old', 'too_far_in_future', 'hourly_series_limit', 'daily_series_limit', 'rate_limit'] as const;
type Reason = (typeof DROP_REASONS)[number];

interface FilterState {
  hourly: SeriesLimiterState | undefined;
  daily: SeriesLimiterState | undefined;
  buckets: Record<string, { tokens: number; at: number }>;
}

/**
 * Drops what must not reach real-time processing: samples outside the time window (too old, from
 * before the current interval, or far in the future), NaNs on request, samples of new series over
 * a tenant's hourly/daily series limit, and samples over its ingestion rate. Every drop is counted
 * by reason. A batch with nothing to drop is passed on as it is; otherwise a filtered copy is.
 */
const manifest: PluginManifest<FilterConfig> = {
  kind: 'processor',
  type: 'filter',
  api: PLUGIN_API_VERSION,
  stability: 'beta',
  description: 'Time-window filter, NaN handling, per-tenant series limits (sliding hour/day) and ingestion rate limits, with drops counted by reason.',
  config: filterSchema,
  example: { max_age: '10m', max_future: '1m', max_hourly_series: 1000000 },
  create(ctx: PluginContext, config: FilterConfig, next: Consumer): Component {
    return new FilterProcessor(ctx, config, next);
  },
};

export default manifest;

class FilterProcessor implements Component {
  readonly #ctx: PluginContext;
  readonly #config: FilterConfig;
  readonly #next: Consumer;
  readonly #limits: LimitTable;
  readonly #hourly: SeriesLimiter | undefined;
  readonly #daily: SeriesLimiter | undefined;
  readonly #buckets = new Map<string, TokenBucket>();
  readonly #dropped;
  readonly #unsubscribe: () => void;

  constructor(ctx: PluginContext, config: FilterConfig, next: Consumer) {
    this.#ctx = ctx;
    this.#config = config;
    this.#next = next;
    this.#limits = new LimitTable(config);
    this.#hourly = this.#limits.any('max_hourly_series') ? new SeriesLimiter(HOUR, 12) : undefined;
    this.#daily = this.#limits.any('max_daily_series') ? new SeriesLimiter(24 * HOUR, 24) : undefined;
    this.#unsubscribe = onIndexDelete(ctx.series, (ref) => {
      this.#hourly?.forget(ref);
      this.#daily?.forget(ref);
    });
    this.#dropped = ctx.metrics.counter({ name: 'sluice_filter_dropped_samples_total', help: 'Samples the filter dropped, by reason.', labelNames: ['reason'] });
  }

  async consume(batch: SampleBatch): Promise<void> {
    const now = this.#ctx.clock.now();
    const n = batch.length;
    const keep = new Uint8Array(n).fill(1);
    const counts = new Map<Reason, number>();
    const drop = (i: number, reason: Reason) => {
      keep[i] = 0;
      counts.set(reason, (counts.get(reason) ?? 0) + 1);
    };
    this.#checkValues(batch, keep, drop);
    this.#checkTime(batch, now, keep, drop);
    this.#checkSeries(batch, now, keep, drop);
    this.#checkRate(batch, now, keep, drop);
    for (const [reason, count] of counts) this.#dropped.inc({ reason }, count);
    const bounds = this.#timeBounds(now);
    const sideToFilter = batch.side !== undefined && (bounds[0] > -Infinity || bounds[1] < Infinity);
    const out = counts.size === 0 && !sideToFilter ? batch : keepRows(batch, keep, bounds);
    if (out.length > 0 || out.side) await this.#next.consume(out);
  }

  stop(): void {
    this.#unsubscribe();
  }

  /** Series sightings and token buckets, so a reload cannot reset a tenant's limits. */
  snapshot(): FilterState {
    const buckets: FilterState['buckets'] = {};
    for (const [key, b] of this.#buckets) buckets[key] = b.snapshot();
    return { hourly: this.#hourly?.snapshot(), daily: this.#daily?.snapshot(), buckets };
  }

  restore(state: unknown): void {
    const s = state as Partial<FilterState> | undefined;
    if (s?.hourly) this.#hourly?.restore(s.hourly);
    if (s?.daily) this.#daily?.restore(s.daily);
    const now = this.#ctx.clock.now();
    for (const [key, b] of Object.entries(s?.buckets ?? {})) {
      const tenant = parseTenant(key);
      if (tenant) this.#bucket(key, this.#limits.for(tenant), now)?.restore(b);
    }
  }

  /** The tenant's token bucket, made on first use; undefined when it has no rate limit. */
  #bucket(key: string, limits: TenantLimits, now: number): TokenBucket | undefined {
    const rate = limits.max_samples_per_second;
    if (rate === undefined) return undefined;
    let bucket = this.#buckets.get(key);
    if (!bucket) this.#buckets.set(key, (bucket = new TokenBucket(rate, limits.burst_samples ?? Math.max(1, Math.ceil(rate)), now)));
    return bucket;
  }

  #checkValues(b: SampleBatch, keep: Uint8Array, drop: (i: number, r: Reason) => void): void {
    const { drop_nan: dropNaN, drop_stale_markers: dropStale } = this.#config;
    if (!dropNaN && !dropStale) return;
    for (let i = 0; i < b.length; i++) {
      const v = b.values[i]!;
      if (v === v) continue;
      const stale = isStaleNaN(v);
      if (stale ? dropStale : dropNaN) drop(i, stale ? 'stale_marker' : 'nan');
    }
  }

  /** [oldest kept, newest kept] timestamps at `now`. */
  #timeBounds(now: number): [number, number] {
    const c = this.#config;
    let min = -Infinity;
    if (c.max_age !== undefined) min = now - c.max_age;
    if (c.window_align !== undefined && c.window_align > 0) min = Math.max(min, Math.floor(now / c.window_align) * c.window_align);
    const max = c.max_future === undefined ? Infinity : now + c.max_future;
    return [min, max];
  }

  #checkTime(b: SampleBatch, now: number, keep: Uint8Array, drop: (i: number, r: Reason) => void): void {
    const [min, max] = this.#timeBounds(now);
    if (min === -Infinity && max === Infinity) return;
    for (let i = 0; i < b.length; i++) {
      if (!keep[i]) continue;
      const t = b.ts[i]!;
      if (t < min) drop(i, 'too_old');
      else if (t > max) drop(i, 'too_far_in_future');
    }
  }

  #checkSeries(b: SampleBatch, now: number, keep: Uint8Array, drop: (i: number, r: Reason) => void): void {
    const limits = this.#limits.for(b.tenant);
    const key = formatTenant(b.tenant);
    for (const [limiter, limit, reason] of [
      [this.#hourly, limits.max_hourly_series, 'hourly_series_limit'],
      [this.#daily, limits.max_daily_series, 'daily_series_limit'],
    ] as const) {
      if (!limiter || limit === undefined) continue;
      const w = limiter.tenant(key);
      const slot = limiter.slot(now);
      for (let i = 0; i < b.length; i++) if (keep[i] && !limiter.admit(w, b.refs[i]!, slot, limit)) drop(i, reason);
    }
  }

  #checkRate(b: SampleBatch, now: number, keep: Uint8Array, drop: (i: number, r: Reason) => void): void {
    const key = formatTenant(b.tenant);
    const limits = this.#limits.for(b.tenant);
    const bucket = this.#bucket(key, limits, now);
    if (!bucket) return;
    const rate = limits.max_samples_per_second;
    let want = 0;
    for (let i = 0; i < b.length; i++) want += keep[i]!;
    if (this.#config.rate_limit_action === 'reject') {
      if (bucket.takeAll(want, now)) return;
      this.#dropped.inc({ reason: 'rate_limit' }, want);
      throw new LimitExceededError(`tenant ${key} is over its ingestion rate of ${rate} samples/s; retry later`);
    }
    let left = bucket.take(want, now);
    for (let i = 0; i < b.length; i++) {
      if (!keep[i]) continue;
      if (left > 0) left--;
      else drop(i, 'rate_limit');
    }
  }
}
