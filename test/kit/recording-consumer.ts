import type { SampleBatch } from '../../host/batch/sample-batch.js';
import type { Consumer } from '../../host/plugin/manifest.js';
import type { SeriesIndex } from '../../host/series/series-index.js';
import { formatSeries } from '../../host/series/labels.js';

export interface RecordedSample {
  ref: number;
  ts: number;
  value: number;
}

/** A Consumer that keeps every row it is given, for assertions. */
export class RecordingConsumer implements Consumer {
  readonly batches: SampleBatch[] = [];

  async consume(batch: SampleBatch): Promise<void> {
    this.batches.push(batch);
  }

  samples(): RecordedSample[] {
    const out: RecordedSample[] = [];
    for (const b of this.batches) for (let i = 0; i < b.length; i++) out.push({ ref: b.refs[i]!, ts: b.ts[i]!, value: b.values[i]! });
    return out;
  }

  /** Samples keyed by `name{labels}`, for readable expectations. */
  bySeries(series: SeriesIndex): Record<string, [number, number][]> {
    const out: Record<string, [number, number][]> = {};
    for (const s of this.samples()) (out[formatSeries(series.labels(s.ref))] ??= []).push([s.ts, s.value]);
    return out;
  }

  clear(): void {
    this.batches.length = 0;
  }
}
