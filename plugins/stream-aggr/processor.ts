/**
 * The stream_aggr processor: a StreamAggregation driven by ctx.clock, a timer that re-arms for the
 * next window deadline, outputs queued until downstream takes them, and state kept on disk.
 */
import type { SampleBatch } from '../../host/batch/sample-batch.js';
import { isRetryable } from '../../host/errors.js';
import type { PluginContext } from '../../host/plugin/context.js';
import type { Component, Consumer } from '../../host/plugin/manifest.js';
import { runSliced } from '../../host/aggregation/steps.js';
import { StreamAggregation, type AggregationSnapshot } from '../../host/aggregation/stream-aggregation.js';
import type { StreamAggrConfig } from './config.js';
import { streamAggrMetrics, type StreamAggrMetrics } from './metrics.js';
import { STATE_FORMAT } from './state-codec.js';
import { readState, writeState } from './state-file.js';

/** Output batches waiting for downstream; beyond this the oldest are dropped (and counted). */
const MAX_PENDING = 10_000;

export class StreamAggrProcessor implements Component {
  #ctx: PluginContext;
  #config: StreamAggrConfig;
  #next: Consumer;
  #agg: StreamAggregation;
  #metrics: StreamAggrMetrics;
  #pending: SampleBatch[] = [];
  #timer: NodeJS.Timeout | undefined;
  #snapshotTimer: NodeJS.Timeout | undefined;
  #saving: Promise<void> | undefined;
  #stopped = false;

  static async create(ctx: PluginContext, config: StreamAggrConfig, next: Consumer): Promise<StreamAggrProcessor> {
    const agg = await StreamAggregation.create(toOptions(config), ctx.kernels, ctx.series, ctx.clock.now());
    return new StreamAggrProcessor(ctx, config, next, agg);
  }

  private constructor(ctx: PluginContext, config: StreamAggrConfig, next: Consumer, agg: StreamAggregation) {
    this.#ctx = ctx;
    this.#config = config;
    this.#next = next;
    this.#agg = agg;
    this.#metrics = streamAggrMetrics(ctx.metrics);
  }

  /** The aggregation itself, for tests and the conformance suite. */
  get aggregation(): StreamAggregation {
    return this.#agg;
  }

  async start(): Promise<void> {
    if (this.#config.persist_state) {
      try {
        const saved = await readState(this.#ctx.dataDir);
        if (saved !== undefined) this.#restoreFrom(saved.state as AggregationSnapshot, saved.format === STATE_FORMAT ? 'disk' : `disk, state file format ${saved.format} (rewritten as ${STATE_FORMAT} at the next snapshot)`);
      } catch (err) {
        this.#ctx.logger.error({ err }, 'cannot read saved stream aggregation state; starting empty');
      }
      const every = Math.max(1000, this.#config.state_snapshot_interval);
      // A write slower than the interval (a slow disk) skips the next tick instead of queueing behind.
      this.#snapshotTimer = this.#ctx.timers.setInterval(() => {
        if (!this.#saving) void this.persist();
      }, every);
    }
    this.#arm();
  }

  /**
   * Input rows are passed downstream before they are folded: if downstream refuses them
   * (back-pressure), the client's retry is not counted twice.
   */
  async consume(batch: SampleBatch): Promise<void> {
    const now = this.#ctx.clock.now();
    const { pass, outputs } = this.#agg.route(batch, now);
    if (outputs.length > 0) this.#queue(outputs);
    if (pass) await this.#next.consume(pass);
    this.#agg.fold(batch, now);
    this.#metrics.record(this.#agg);
    if (batch.length > 0) this.#metrics.lag(this.#agg, Math.max(0, (now - meanTs(batch)) / 1000));
    await this.#drain();
  }

  /** Closes the windows that are due at ctx.clock.now() and sends their outputs. */
  async tick(): Promise<void> {
    const started = performance.now();
    const outputs = this.#agg.tick(this.#ctx.clock.now());
    for (const r of this.#agg.rules) this.#metrics.flushed(r.plan.label, (performance.now() - started) / 1000 / this.#agg.rules.length);
    this.#metrics.record(this.#agg);
    this.#metrics.state(this.#agg);
    this.#queue(outputs);
    await this.#drain();
  }

  async flush(): Promise<void> {
    await this.tick();
    this.#queue(this.#agg.flushOnShutdown(this.#ctx.clock.now()));
    await this.#drain();
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#timer) this.#ctx.timers.clear(this.#timer);
    if (this.#snapshotTimer) this.#ctx.timers.clear(this.#snapshotTimer);
    if (this.#config.persist_state) await this.persist();
    this.#agg.close();
  }

  async update(config: unknown): Promise<boolean> {
    const c = config as StreamAggrConfig;
    if (c.persist_state !== this.#config.persist_state || c.state_snapshot_interval !== this.#config.state_snapshot_interval) return false;
    await this.#agg.update(toOptions(c), this.#ctx.clock.now());
    this.#config = c;
    this.#arm();
    return true;
  }

  snapshot(): AggregationSnapshot {
    return this.#agg.snapshot(this.#ctx.clock.now());
  }

  restore(state: unknown): void {
    this.#restoreFrom(state as AggregationSnapshot, 'previous generation');
  }

  /**
   * Writes the state to the data directory: the state as of this call, or, when a write is still
   * in progress, as of its end. Only copying the kernel state holds the event loop; naming the
   * series, encoding and writing run in slices while samples keep arriving.
   */
  async persist(): Promise<void> {
    const previous = this.#saving;
    const save = (async () => {
      if (previous) await previous;
      await this.#save();
    })();
    this.#saving = save;
    await save;
    if (this.#saving === save) this.#saving = undefined;
  }

  async #save(): Promise<void> {
    try {
      const state = await runSliced(this.#agg.capture(this.#ctx.clock.now()));
      await writeState(this.#ctx.dataDir, state);
    } catch (err) {
      this.#ctx.logger.error({ err }, 'cannot save stream aggregation state');
    }
  }

  #restoreFrom(state: AggregationSnapshot, from: string): void {
    const n = this.#agg.restore(state, this.#ctx.clock.now());
    this.#ctx.logger.info({ rules: n, from }, 'restored stream aggregation state');
    this.#arm();
  }

  #arm(): void {
    if (this.#stopped) return;
    if (this.#timer) this.#ctx.timers.clear(this.#timer);
    const wait = Math.min(Math.max(10, this.#agg.nextDeadline() - this.#ctx.clock.now()), 60_000);
    this.#timer = this.#ctx.timers.setTimeout(() => {
      this.#timer = undefined;
      this.tick()
        .catch((err) => this.#ctx.logger.error({ err }, 'stream aggregation flush failed'))
        .finally(() => this.#arm());
    }, wait);
  }

  #queue(batches: SampleBatch[]): void {
    this.#pending.push(...batches);
    while (this.#pending.length > MAX_PENDING) this.#metrics.dropped.inc(undefined, this.#pending.shift()!.length);
  }

  /** Sends queued outputs in order; a retryable refusal leaves the rest queued for later. */
  async #drain(): Promise<void> {
    while (this.#pending.length > 0) {
      const b = this.#pending[0]!;
      try {
        await this.#next.consume(b);
      } catch (err) {
        if (isRetryable(err)) return;
        this.#ctx.logger.error({ err }, 'downstream refused aggregated samples permanently; dropping them');
        this.#metrics.dropped.inc(undefined, b.length);
      }
      this.#pending.shift();
    }
  }
}

function toOptions(c: StreamAggrConfig) {
  return { rules: c.rules, keepInput: c.keep_input, dropInput: c.drop_input, dedupMs: c.dedup_interval };
}

function meanTs(b: SampleBatch): number {
  const step = Math.max(1, Math.floor(b.length / 64));
  let sum = 0;
  let n = 0;
  for (let i = 0; i < b.length; i += step, n++) sum += b.ts[i]!;
  return sum / n;
}
