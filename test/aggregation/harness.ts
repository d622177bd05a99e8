import { ruleSchema } from '../../host/aggregation/rule-schema.js';
import { StreamAggregation, type StreamAggregationOptions } from '../../host/aggregation/stream-aggregation.js';
import type { SampleBatch } from '../../host/batch/sample-batch.js';
import { DEFAULT_TENANT } from '../../host/batch/tenant.js';
import { createKernels, type KernelMode } from '../../host/kernels/kernels.js';
import { formatSeries, labelsFromRecord } from '../../host/series/labels.js';
import { MapSeriesIndex } from '../../host/series/map-series-index.js';
import type { SeriesIndex } from '../../host/series/series-index.js';

/** 2026-01-01T00:00:00Z: a multiple of every interval the tests use. */
export const T0 = Date.UTC(2026, 0, 1);
export const S = 1000;
export const M = 60_000;

export type Row = [labels: Record<string, string>, ts: number, value: number];

/** A StreamAggregation on a fresh Map series index, with rules given as vmagent YAML objects. */
export class Harness {
  readonly series: SeriesIndex;
  agg!: StreamAggregation;
  now = T0;
  readonly outputs: SampleBatch[] = [];
  readonly passed: SampleBatch[] = [];

  constructor(series: SeriesIndex = new MapSeriesIndex()) {
    this.series = series;
  }

  static async create(rules: unknown[], opts: Partial<StreamAggregationOptions> & { mode?: KernelMode; series?: SeriesIndex; now?: number } = {}): Promise<Harness> {
    const h = new Harness(opts.series);
    if (opts.now !== undefined) h.now = opts.now;
    const parsed = rules.map((r) => ruleSchema.parse(r));
    h.agg = await StreamAggregation.create(
      { rules: parsed, keepInput: opts.keepInput ?? false, dropInput: opts.dropInput ?? false, dedupMs: opts.dedupMs ?? 0 },
      createKernels(opts.mode ?? 'auto'),
      h.series,
      h.now,
    );
    return h;
  }

  /** Feeds rows as one batch at the current time. */
  push(rows: Row[]): void {
    const refs = Uint32Array.from(rows.map(([l]) => this.series.resolve(DEFAULT_TENANT, labelsFromRecord(l))));
    const batch: SampleBatch = {
      tenant: DEFAULT_TENANT,
      length: rows.length,
      refs,
      ts: Float64Array.from(rows.map((r) => r[1])),
      values: Float64Array.from(rows.map((r) => r[2])),
    };
    const { pass, outputs } = this.agg.consume(batch, this.now);
    if (pass) this.passed.push(pass);
    this.outputs.push(...outputs);
  }

  /** Moves the clock to `at` and closes what is due. */
  tickAt(at: number): void {
    this.now = at;
    this.outputs.push(...this.agg.tick(at));
  }

  /** Output samples keyed by `name{labels}`, as [ms since T0, value]. */
  result(): Record<string, [number, number][]> {
    return bySeries(this.series, this.outputs);
  }
}

export function bySeries(series: SeriesIndex, batches: SampleBatch[]): Record<string, [number, number][]> {
  const out: Record<string, [number, number][]> = {};
  for (const b of batches) for (let i = 0; i < b.length; i++) (out[formatSeries(series.labels(b.refs[i]!))] ??= []).push([b.ts[i]! - T0, b.values[i]!]);
  return out;
}
