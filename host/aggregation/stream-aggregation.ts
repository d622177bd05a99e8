/**
 * A set of stream aggregation rules over one input: which rows pass through (vmagent's keepInput
 * and dropInput), output batches on schedule, and the state of all rules as one snapshot.
 * The stream_aggr processor wraps it; a Kafka window operator can reuse it as is.
 */
import { hasSideRows, type SampleBatch } from '../batch/sample-batch.js';
import type { Kernels } from '../kernels/kernels.js';
import { NO_MATCH } from '../kernels/stream-aggregator.js';
import type { SeriesIndex } from '../series/series-index.js';
import { RuleAggregator } from './rule-aggregator.js';
import { planRule } from './rule-plan.js';
import type { RuleConfig } from './rule-schema.js';
import type { RuleSnapshot } from './rule-snapshot.js';
import { runNow, started, type Steps } from './steps.js';

export interface StreamAggregationOptions {
  rules: RuleConfig[];
  /** Pass matched input samples downstream too. */
  keepInput: boolean;
  /** Drop input samples no rule matches. */
  dropInput: boolean;
  /** Dedup interval for rules without their own (ms; 0 = off). */
  dedupMs: number;
}

export interface AggregationSnapshot {
  kind: 'sluice.stream_aggr';
  v: 1;
  savedAt: number;
  rules: RuleSnapshot[];
}

export class StreamAggregation {
  rules: RuleAggregator[] = [];
  #opts: StreamAggregationOptions;
  #kernels: Kernels;
  #series: SeriesIndex;
  #unsubscribe: () => void;

  private constructor(opts: StreamAggregationOptions, kernels: Kernels, series: SeriesIndex) {
    this.#opts = opts;
    this.#kernels = kernels;
    this.#series = series;
    this.#unsubscribe = series.onDelete((refs) => {
      for (const r of this.rules) r.registry.forgetRefs(refs);
    });
  }

  static async create(opts: StreamAggregationOptions, kernels: Kernels, series: SeriesIndex, now: number): Promise<StreamAggregation> {
    const s = new StreamAggregation(opts, kernels, series);
    s.rules = await Promise.all(opts.rules.map((r, i) => RuleAggregator.create(planRule(r, i, opts.dedupMs), kernels, series, now)));
    return s;
  }

  /**
   * Applies a new rule list: rules whose fingerprint is unchanged keep their aggregator and state,
   * others start fresh. Returns how many were kept.
   */
  async update(opts: StreamAggregationOptions, now: number): Promise<number> {
    const old = new Map(this.rules.map((r) => [r.plan.fingerprint, r]));
    let kept = 0;
    const next: RuleAggregator[] = [];
    for (const [i, rule] of opts.rules.entries()) {
      const plan = planRule(rule, i, opts.dedupMs);
      const same = old.get(plan.fingerprint);
      if (same) {
        old.delete(plan.fingerprint);
        kept++;
        same.plan.label = plan.label;
        next.push(same);
      } else next.push(await RuleAggregator.create(plan, this.#kernels, this.#series, now));
    }
    this.rules = next;
    this.#opts = opts;
    return kept;
  }

  /** When tick() has work next. */
  nextDeadline(): number {
    return Math.min(...this.rules.map((r) => r.nextDeadline()));
  }

  /**
   * First half of consuming a batch: closes windows that fell due, classifies new series, and
   * returns the input rows to pass downstream (the batch itself when all pass, undefined when
   * none does) with the outputs. The caller forwards `pass`, then calls fold(): rows refused
   * downstream are retried by the client and must not have been counted yet.
   */
  route(batch: SampleBatch, now: number): { pass: SampleBatch | undefined; outputs: SampleBatch[] } {
    const outputs = now >= this.nextDeadline() ? this.tick(now) : [];
    const lateRows = new Set<number>();
    for (const r of this.rules) {
      r.classifyBatch(batch);
      if (r.plan.config.late_samples === 'pass') for (const i of r.lateRows(batch, now)) lateRows.add(i);
    }
    return { pass: this.#passThrough(batch, lateRows), outputs };
  }

  /** Second half: folds the batch into every rule. */
  fold(batch: SampleBatch, now: number): void {
    for (const r of this.rules) r.consume(batch, now);
  }

  /** route() and fold() in one, for callers without a downstream that can refuse. */
  consume(batch: SampleBatch, now: number): { pass: SampleBatch | undefined; outputs: SampleBatch[] } {
    const r = this.route(batch, now);
    this.fold(batch, now);
    return r;
  }

  tick(now: number): SampleBatch[] {
    return this.rules.flatMap((r) => r.tick(now));
  }

  /** Shutdown: outputs of rules with flush_on_shutdown, from their open windows. */
  flushOnShutdown(now: number): SampleBatch[] {
    return this.rules.filter((r) => r.plan.config.flush_on_shutdown).flatMap((r) => r.flushPartial(now));
  }

  snapshot(now: number): AggregationSnapshot {
    return runNow(this.capture(now));
  }

  /**
   * The state of every rule as of now: what changes is copied before this returns; the steps
   * left (naming the series: a few hundred ms at a million) may run while samples keep arriving
   * (runSliced). Run them to the end or return() them.
   */
  capture(now: number): Steps<AggregationSnapshot> {
    const parts = this.rules.map((r) => r.capture());
    return started(
      (function* () {
        try {
          yield;
          const rules: RuleSnapshot[] = [];
          for (const p of parts) rules.push(yield* p);
          return { kind: 'sluice.stream_aggr' as const, v: 1 as const, savedAt: now, rules };
        } finally {
          for (const p of parts) p.return(undefined as never);
        }
      })(),
    );
  }

  /** Restores the rules whose fingerprint is in the snapshot; returns how many. */
  restore(s: AggregationSnapshot, now: number): number {
    if (s?.kind !== 'sluice.stream_aggr' || s.v !== 1) return 0;
    const byFp = new Map(s.rules.map((r) => [r.fingerprint, r]));
    let n = 0;
    for (const r of this.rules) {
      const saved = byFp.get(r.plan.fingerprint);
      if (!saved) continue;
      byFp.delete(r.plan.fingerprint);
      r.restore(saved, now);
      n++;
    }
    return n;
  }

  close(): void {
    this.#unsubscribe();
  }

  #passThrough(batch: SampleBatch, lateRows: Set<number>): SampleBatch | undefined {
    const { keepInput, dropInput } = this.#opts;
    if (keepInput && !dropInput) return batch;
    const n = batch.length;
    // matched[i]: some rule aggregates row i (every ref of the batch is classified by now).
    const matched = new Uint8Array(n);
    for (const r of this.rules) {
      const table = r.kernel.refTable();
      for (let i = 0; i < n; i++) {
        const v = table[batch.refs[i]!]!;
        if (v !== 0 && v !== NO_MATCH) matched[i] = 1;
      }
    }
    let kept = 0;
    for (let i = 0; i < n; i++) {
      const keep = (matched[i] ? keepInput : !dropInput) || lateRows.has(i);
      matched[i] = keep ? 1 : 0;
      if (keep) kept++;
    }
    // Rules aggregate float samples only; histograms, exemplars and metadata are input no rule
    // takes, so they pass unless drop_input drops all input (as rows no rule matches do).
    const sideRows = hasSideRows(batch);
    const side = sideRows && !dropInput ? batch.side : undefined;
    if (kept === n && (side || !sideRows)) return batch;
    if (kept === 0 && !side) return undefined;
    const refs = new Uint32Array(kept);
    const ts = new Float64Array(kept);
    const values = new Float64Array(kept);
    for (let i = 0, j = 0; i < n; i++) {
      if (!matched[i]) continue;
      refs[j] = batch.refs[i]!;
      ts[j] = batch.ts[i]!;
      values[j++] = batch.values[i]!;
    }
    return { tenant: batch.tenant, length: kept, refs, ts, values, ...(side ? { side } : {}) };
  }
}
