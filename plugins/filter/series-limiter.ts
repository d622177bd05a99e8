import { growToFit } from '../../host/relabel/ref-keyed.js';

/**
 * Distinct series per tenant in a sliding window (an hour, a day), over the limit refused: what
 * vmagent's -remoteWrite.maxHourlySeries / maxDailySeries do, but sliding rather than reset at
 * the top of the hour, so a limit cannot be doubled by sending across a reset.
 *
 * The window is split into `buckets` slots; a series counts in the slot of its last sighting and
 * moves to the newest slot when seen again, so it is counted once. A series is live while its
 * slot is inside the window. Per sample this is one typed-array read for a series already seen in
 * the current slot; memory is 4 bytes per ref plus `buckets` counters per tenant.
 */
export class SeriesLimiter {
  readonly #bucketMs: number;
  readonly #buckets: number;
  /** Per ref: last slot number + 1 (0 = never seen). Refs belong to one tenant each. */
  #last = new Uint32Array(1024);
  readonly #tenants = new Map<string, TenantWindow>();

  constructor(windowMs: number, buckets: number) {
    this.#bucketMs = Math.ceil(windowMs / buckets);
    this.#buckets = buckets;
  }

  /** The window of one tenant; hold on to it for a batch to avoid the map lookup per sample. */
  tenant(key: string): TenantWindow {
    let w = this.#tenants.get(key);
    if (!w) this.#tenants.set(key, (w = new TenantWindow(this.#buckets)));
    return w;
  }

  slot(now: number): number {
    return Math.floor(now / this.#bucketMs);
  }

  /** Whether a sample of `ref` may pass at slot `slot` with `limit` live series for the tenant. */
  admit(w: TenantWindow, ref: number, slot: number, limit: number): boolean {
    const last = ref < this.#last.length ? this.#last[ref]! : 0;
    if (last === slot + 1) return true;
    if (last !== 0 && slot - (last - 1) < this.#buckets) {
      w.move(last - 1, slot);
      this.#last[ref] = slot + 1;
      return true;
    }
    if (w.live(slot) >= limit) return false;
    w.add(slot);
    this.#last = growToFit(this.#last, ref);
    this.#last[ref] = slot + 1;
    return true;
  }

  /** Series currently live for a tenant (for tests and metrics). */
  live(key: string, now: number): number {
    return this.#tenants.get(key)?.live(this.slot(now)) ?? 0;
  }

  /** State for the next generation (hot swap): sightings and per-tenant counts. */
  snapshot(): SeriesLimiterState {
    const tenants: SeriesLimiterState['tenants'] = {};
    for (const [key, w] of this.#tenants) tenants[key] = w.snapshot();
    return { bucketMs: this.#bucketMs, last: this.#last.slice(), tenants };
  }

  /** Takes over a snapshot of a limiter with the same window; returns false (and keeps nothing) otherwise. */
  restore(state: SeriesLimiterState): boolean {
    if (state.bucketMs !== this.#bucketMs || Object.values(state.tenants).some((t) => t.ids.length !== this.#buckets)) return false;
    this.#last = state.last.slice();
    this.#tenants.clear();
    for (const [key, t] of Object.entries(state.tenants)) this.#tenants.set(key, TenantWindow.from(t));
    return true;
  }

  /** A deleted ref may be reused by another series: forget its sighting. */
  forget(ref: number): void {
    if (ref < this.#last.length) this.#last[ref] = 0;
  }
}

/** What a limiter hands to the next generation: structured-cloneable. */
export interface SeriesLimiterState {
  bucketMs: number;
  last: Uint32Array;
  tenants: Record<string, { ids: Float64Array; counts: Float64Array }>;
}

/** One tenant's ring of per-slot series counts. */
export class TenantWindow {
  readonly #ids: Float64Array;
  readonly #counts: Float64Array;

  constructor(buckets: number) {
    this.#ids = new Float64Array(buckets).fill(-1);
    this.#counts = new Float64Array(buckets);
  }

  static from(state: { ids: Float64Array; counts: Float64Array }): TenantWindow {
    const w = new TenantWindow(state.ids.length);
    w.#ids.set(state.ids);
    w.#counts.set(state.counts);
    return w;
  }

  snapshot(): { ids: Float64Array; counts: Float64Array } {
    return { ids: this.#ids.slice(), counts: this.#counts.slice() };
  }

  add(slot: number): void {
    this.#counts[this.#index(slot)]!++;
  }

  move(from: number, to: number): void {
    const i = from % this.#ids.length;
    if (this.#ids[i] === from && this.#counts[i]! > 0) this.#counts[i]!--;
    this.add(to);
  }

  live(slot: number): number {
    let n = 0;
    const k = this.#ids.length;
    for (let i = 0; i < k; i++) if (this.#ids[i]! > slot - k && this.#ids[i]! <= slot) n += this.#counts[i]!;
    return n;
  }

  /** The ring index of `slot`, recycling the slot that fell out of the window. */
  #index(slot: number): number {
    const i = slot % this.#ids.length;
    if (this.#ids[i] !== slot) {
      this.#ids[i] = slot;
      this.#counts[i] = 0;
    }
    return i;
  }
}
