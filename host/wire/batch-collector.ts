import { BatchBuilder, type Exemplar, type MetricMetadata, type SampleBatch } from '../batch/sample-batch.js';
import type { Tenant } from '../batch/tenant.js';
import type { SeriesIndex } from '../series/series-index.js';
import type { SeriesKeyBuilder } from './series-key-builder.js';

/** What one decoded request held, for self-metrics and the remote_write 2.0 response headers. */
export interface DecodeCounts {
  series: number;
  samples: number;
  histograms: number;
  exemplars: number;
  metadata: number;
}

/** What the collector needs of the series index. */
export type CollectorIndex = Pick<SeriesIndex, 'resolveKey' | 'scratch' | 'resolveScratchBatch'>;

/**
 * Where decoders put what they read: resolves series keys to refs and fills batches of at most
 * `maxBatchSamples` rows. Decoders finish a whole request before any batch leaves, so a body that
 * turns out malformed halfway is refused as a whole and nothing of it reaches the pipeline.
 */
export class BatchCollector {
  readonly counts: DecodeCounts = { series: 0, samples: 0, histograms: 0, exemplars: 0, metadata: 0 };
  readonly #series: CollectorIndex;
  readonly #tenant: Tenant;
  readonly #max: number;
  readonly #done: SampleBatch[] = [];
  #builder: BatchBuilder;

  constructor(series: CollectorIndex, tenant: Tenant, maxBatchSamples: number) {
    if (!(maxBatchSamples >= 1)) throw new RangeError(`maxBatchSamples must be at least 1, got ${maxBatchSamples}`);
    this.#series = series;
    this.#tenant = tenant;
    this.#max = maxBatchSamples;
    this.#builder = new BatchBuilder(tenant, Math.min(maxBatchSamples, 4096));
  }

  /** One key, key[0, length), to its ref: the text path, which resolves line by line. */
  resolve(key: Uint8Array, length: number): number {
    this.counts.series++;
    return this.#series.resolveKey(this.#tenant, key, length);
  }

  /**
   * Every key the builder holds to its ref, refs[i] for key i, in one index call: the keys are
   * copied into the index's scratch buffer in one piece and resolved by resolveScratchBatch(),
   * which for the WebAssembly index is a single kernel call instead of one per series.
   */
  resolveAll(keys: SeriesKeyBuilder, refs: Uint32Array): void {
    const n = keys.seriesCount;
    if (n === 0) return;
    this.#series.scratch(keys.length).set(keys.key.subarray(0, keys.length));
    this.#series.resolveScratchBatch(this.#tenant, keys.offsets, n, refs, keys.deferChecks ? (i) => keys.checkKey(i) : undefined);
    this.counts.series += n;
  }

  sample(ref: number, ts: number, value: number): void {
    const b = this.#builder;
    b.push(ref, ts, value);
    this.counts.samples++;
    if (b.length >= this.#max) this.#done.push(b.take());
  }

  /**
   * Rows [from, to) of three columns at once (a decoder that resolved them elsewhere), cut into
   * batches where sample() would cut them (resolved() counts their series).
   */
  rows(refs: Uint32Array, ts: Float64Array, values: Float64Array, from: number, to: number): void {
    const b = this.#builder;
    this.counts.samples += to - from;
    while (from < to) {
      const n = Math.min(to - from, this.#max - b.length);
      b.pushColumns(refs, ts, values, from, from + n);
      from += n;
      if (b.length >= this.#max) this.#done.push(b.take());
    }
  }

  /** Counts series a decoder resolved itself (rows() does not know them). */
  resolved(series: number): void {
    this.counts.series += series;
  }

  histogram(ref: number, ts: number, histogram: Record<string, unknown>): void {
    (this.#builder.side().histograms ??= []).push({ ref, ts, histogram });
    this.counts.histograms++;
  }

  exemplar(e: Exemplar): void {
    (this.#builder.side().exemplars ??= []).push(e);
    this.counts.exemplars++;
  }

  metadata(m: MetricMetadata): void {
    (this.#builder.side().metadata ??= []).push(m);
    this.counts.metadata++;
  }

  /** The filled batches, in order; the collector is empty afterwards. */
  finish(): SampleBatch[] {
    const last = this.#builder.take();
    if (last.length > 0 || last.side) this.#done.push(last);
    return this.#done.splice(0);
  }
}
