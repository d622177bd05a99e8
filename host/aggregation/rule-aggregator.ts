/**
 * One rule at work: classifies new series, feeds samples to the kernel, and closes windows on
 * schedule. Time comes from the caller (`now`), so tests drive it by hand and the processor's
 * timer only calls tick(). Processing time: every sample counts toward the current interval.
 * Event time: a sample counts toward the window its timestamp falls in, until that window closes
 * `allowed_lateness` after its end; later samples are reported late, never folded into a later window.
 */
import type { SampleBatch } from '../batch/sample-batch.js';
import type { Kernels } from '../kernels/kernels.js';
import { LATE_ROW, NO_MATCH, STAT_COUNT, type StreamAggregator } from '../kernels/stream-aggregator.js';
import type { SeriesIndex } from '../series/series-index.js';
import { emitWindow, type EmitContext } from './output-emitter.js';
import type { RulePlan } from './rule-plan.js';
import { SeriesRegistry } from './series-registry.js';
import { captureRule, restoreRule, type RuleSnapshot } from './rule-snapshot.js';
import { runNow, type Steps } from './steps.js';
import { VMRANGE_BOUNDS } from './vmrange.js';

export interface ConsumeResult {
  /** Rows of the batch that were too late for their window (event time). */
  late: number[];
}

export class RuleAggregator {
  readonly plan: RulePlan;
  readonly kernel: StreamAggregator;
  readonly registry: SeriesRegistry;
  readonly series: SeriesIndex;
  /** Sums of the kernel's STAT_* counters not yet taken by the caller. */
  readonly stats = new Float64Array(STAT_COUNT);
  #unique = new Map<number, Set<number>>();
  #scratch = new Uint32Array(1024);
  #nextExpire = -Infinity;
  #tracksUnique: boolean;
  /**
   * vmagent does not write the interval a cold start cut short ("incomplete aggregated data is
   * confusing") unless flush_on_shutdown is set; after a restore the interval is complete.
   */
  #skipFirstFlush: boolean;
  /** Processing time: the next flush boundary. Event time: the next window number to close. */
  nextFlush: number;
  nextDedup: number;
  flushes = 0;
  /** Output samples emitted since the caller last took the count. */
  emitted = 0;
  ignoreFirstUntil: number;

  static async create(plan: RulePlan, kernels: Kernels, series: SeriesIndex, now: number): Promise<RuleAggregator> {
    return new RuleAggregator(plan, await kernels.streamAggregator(), series, now);
  }

  constructor(plan: RulePlan, kernel: StreamAggregator, series: SeriesIndex, now: number) {
    this.plan = plan;
    this.#tracksUnique = plan.outputs.some((o) => o.kind === 'unique_samples');
    this.kernel = kernel;
    this.series = series;
    kernel.configure(plan.features);
    kernel.setReservoirMax(plan.config.quantile_reservoir);
    kernel.setHistogramBounds(VMRANGE_BOUNDS);
    this.registry = new SeriesRegistry(plan, kernel, plan.outputs.length);
    const I = plan.intervalMs;
    if (plan.eventTime) this.nextFlush = Math.floor((now - plan.latenessMs) / I);
    else this.nextFlush = plan.config.no_align_flush_to_interval ? now + I : (Math.floor(now / I) + 1) * I;
    this.nextDedup = plan.dedupMs > 0 ? (Math.floor(now / plan.dedupMs) + 1) * plan.dedupMs : Infinity;
    this.ignoreFirstUntil = now + plan.ignoreFirstSampleMs;
    this.#skipFirstFlush = !plan.eventTime && !plan.config.no_align_flush_to_interval && !plan.config.flush_on_shutdown && now % I !== 0;
  }

  /** When tick() has work next. */
  nextDeadline(): number {
    const p = this.plan;
    const flushAt = p.eventTime ? (this.nextFlush + 1) * p.intervalMs + p.latenessMs : this.nextFlush;
    return Math.min(flushAt, this.nextDedup);
  }

  /** Folds a batch. Call tick(now) first when nextDeadline() has passed. */
  consume(batch: SampleBatch, now: number): ConsumeResult {
    const n = batch.length;
    const late: number[] = [];
    if (n === 0) return { late };
    this.#setWindow(now);
    if (this.#scratch.length < n) this.#scratch = new Uint32Array(n);
    const out = this.#scratch;
    const got = this.kernel.update(batch.refs, batch.values, batch.ts, n, out);
    if (got > 0) {
      const unknown: number[] = [];
      for (let i = 0; i < got; i++) {
        const r = out[i]!;
        if (r >= LATE_ROW) late.push(r - LATE_ROW);
        else unknown.push(r);
      }
      if (unknown.length > 0) this.#retry(batch, unknown, late);
    }
    if (this.#tracksUnique) this.#trackUnique(batch, now);
    this.#takeStats();
    return { late };
  }

  /** Classifies the refs of a batch this rule has not seen yet (once per series). */
  classifyBatch(batch: SampleBatch): void {
    const table = this.kernel.refTable();
    let unknown: number[] | undefined;
    let maxRef = 0;
    for (let i = 0; i < batch.length; i++) {
      const ref = batch.refs[i]!;
      if (ref < table.length && table[ref] !== 0) continue;
      (unknown ??= []).push(ref);
      if (ref > maxRef) maxRef = ref;
    }
    if (unknown) this.registry.classify(this.series, unknown, maxRef);
  }

  /** Rows of a batch that would be late for their window now (event time). */
  lateRows(batch: SampleBatch, now: number): number[] {
    const p = this.plan;
    if (!p.eventTime) return [];
    const oldest = Math.max(this.nextFlush, Math.floor((now - p.latenessMs) / p.intervalMs));
    const out: number[] = [];
    for (let i = 0; i < batch.length; i++) if (Math.floor(batch.ts[i]! / p.intervalMs) < oldest && this.matches(batch.refs[i]!)) out.push(i);
    return out;
  }

  /** Whether a ref consumed before is aggregated by this rule. */
  matches(ref: number): boolean {
    const table = this.kernel.refTable();
    const v = ref < table.length ? table[ref]! : 0;
    return v !== 0 && v !== NO_MATCH;
  }

  /** Runs due dedup flushes and closes due windows; returns the output batches. */
  tick(now: number): SampleBatch[] {
    const p = this.plan;
    const out: SampleBatch[] = [];
    this.#skipIdle(now);
    for (;;) {
      const flushAt = p.eventTime ? (this.nextFlush + 1) * p.intervalMs + p.latenessMs : this.nextFlush;
      const at = Math.min(flushAt, this.nextDedup);
      if (at > now) break;
      if (this.nextDedup <= flushAt) {
        this.kernel.dedupFlush(this.registry.slotCount);
        this.nextDedup += p.dedupMs;
        continue;
      }
      if (p.eventTime) {
        out.push(...this.#closeWindow(this.nextFlush % p.rings, (this.nextFlush + 1) * p.intervalMs));
        this.nextFlush++;
      } else {
        out.push(...this.#closeWindow(0, this.nextFlush));
        this.nextFlush += p.intervalMs;
      }
    }
    this.#takeStats();
    return out;
  }

  /** flush_on_shutdown: emits the open windows as they are, stamped `now`. */
  flushPartial(now: number): SampleBatch[] {
    this.kernel.dedupFlush(this.registry.slotCount);
    const out: SampleBatch[] = [];
    if (!this.plan.eventTime) return this.#closeWindow(0, now);
    const newest = Math.floor(now / this.plan.intervalMs) + 1;
    for (let w = this.nextFlush; w <= newest; w++) out.push(...this.#closeWindow(w % this.plan.rings, Math.min(now, (w + 1) * this.plan.intervalMs)));
    this.nextFlush = newest + 1;
    return out;
  }

  #closeWindow(ring: number, boundary: number): SampleBatch[] {
    const p = this.plan;
    const reg = this.registry;
    this.kernel.closeWindow(ring, reg.slotCount);
    const emit = this.flushes >= p.config.ignore_first_intervals && !(this.#skipFirstFlush && this.flushes === 0);
    this.flushes++;
    const ctx: EmitContext = { plan: p, registry: reg, kernel: this.kernel, series: this.series, unique: this.#unique };
    const batches = emitWindow(ctx, ring, boundary, emit);
    for (const b of batches) this.emitted += b.length;
    if (p.rings === 1) this.kernel.resetGroups(0, reg.groupCount);
    else for (let g = 0; g < reg.groupCount; g++) this.kernel.resetGroups(g * p.rings + ring, g * p.rings + ring + 1);
    // Expiry scans every slot: do it a few times per TTL, not on every flush.
    if (boundary >= this.#nextExpire) {
      reg.expire(boundary - p.seriesTtlMs, boundary - p.seriesTtlMs);
      this.#nextExpire = boundary + Math.max(p.intervalMs, p.stalenessMs / 2);
    }
    return batches;
  }

  /** After a long pause (or restore from an old snapshot) skip the windows nothing can be in. */
  #skipIdle(now: number): void {
    const p = this.plan;
    const I = p.intervalMs;
    if (p.eventTime) {
      const oldestOpen = Math.floor((now - p.latenessMs) / I);
      if (oldestOpen - this.nextFlush > p.rings + 1) this.nextFlush = oldestOpen - p.rings;
    } else if (now - this.nextFlush > 3 * I) {
      this.nextFlush += Math.floor((now - this.nextFlush) / I - 1) * I;
    }
    if (p.dedupMs > 0 && now - this.nextDedup > 3 * p.dedupMs) this.nextDedup += Math.floor((now - this.nextDedup) / p.dedupMs - 1) * p.dedupMs;
  }

  #setWindow(now: number): void {
    const p = this.plan;
    const I = p.intervalMs;
    const oldest = p.eventTime ? Math.max(this.nextFlush, Math.floor((now - p.latenessMs) / I)) : 0;
    this.kernel.setWindow({
      eventTime: p.eventTime,
      intervalMs: I,
      rings: p.rings,
      oldestWindow: oldest,
      newestWindow: Math.min(Math.floor(now / I) + 1, this.nextFlush + p.rings - 1),
      minTs: !p.eventTime && p.config.ignore_old_samples ? this.nextFlush - I : -Infinity,
      ignoreFirstSample: now < this.ignoreFirstUntil,
    });
  }

  #retry(batch: SampleBatch, rows: number[], late: number[]): void {
    let maxRef = 0;
    const refs = new Uint32Array(rows.length);
    const values = new Float64Array(rows.length);
    const ts = new Float64Array(rows.length);
    rows.forEach((r, i) => {
      refs[i] = batch.refs[r]!;
      values[i] = batch.values[r]!;
      ts[i] = batch.ts[r]!;
      if (refs[i]! > maxRef) maxRef = refs[i]!;
    });
    this.registry.classify(this.series, refs, maxRef);
    const out = new Uint32Array(rows.length);
    const got = this.kernel.update(refs, values, ts, rows.length, out);
    for (let i = 0; i < got; i++) if (out[i]! >= LATE_ROW) late.push(rows[out[i]! - LATE_ROW]!);
  }

  /** unique_samples keeps a set of values per group and window, on the host. */
  #trackUnique(batch: SampleBatch, now: number): void {
    const p = this.plan;
    const table = this.kernel.refTable();
    const group = this.kernel.slots().group;
    const oldest = Math.max(this.nextFlush, Math.floor((now - p.latenessMs) / p.intervalMs));
    for (let i = 0; i < batch.length; i++) {
      const s1 = table[batch.refs[i]!]!;
      const v = batch.values[i]!;
      if (s1 === 0 || s1 === NO_MATCH || Number.isNaN(v)) continue;
      let ring = 0;
      if (p.eventTime) {
        const w = Math.floor(batch.ts[i]! / p.intervalMs);
        if (w < oldest) continue;
        ring = w % p.rings;
      }
      const g = group[s1 - 1]! * p.rings + ring;
      let set = this.#unique.get(g);
      if (!set) this.#unique.set(g, (set = new Set()));
      set.add(v);
    }
  }

  #takeStats(): void {
    const s = this.kernel.takeStats();
    for (let i = 0; i < s.length; i++) this.stats[i]! += s[i]!;
  }

  snapshot(): RuleSnapshot {
    return runNow(this.capture());
  }

  /** The state as of now, finished by the returned steps (rule-snapshot.ts). */
  capture(): Steps<RuleSnapshot> {
    return captureRule(this, this.#unique);
  }

  /** Loads a snapshot taken from a rule with the same fingerprint. */
  restore(s: RuleSnapshot, now: number): void {
    restoreRule(this, s, this.#unique, now);
    this.#skipFirstFlush = false;
  }

  /** Bytes of per-series and per-group state this rule holds. */
  stateBytes(): number {
    const slots = Object.values(this.kernel.slots()).reduce((a, v) => a + (v as Float64Array).BYTES_PER_ELEMENT, 0);
    return this.registry.slotCount * slots + this.kernel.refTable().length * 4 + this.registry.slotBytes + this.registry.groupCount * this.plan.rings * 14 * 8;
  }
}
