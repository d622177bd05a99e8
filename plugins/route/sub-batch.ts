import type { SampleBatch, SideColumns } from '../../host/batch/sample-batch.js';

/**
 * The rows of a batch as one index space, so samples, native histograms and exemplars are routed
 * alike: [0, length) are samples, then histograms, then exemplars.
 */
export class BatchRows {
  readonly batch: SampleBatch;
  readonly samples: number;
  readonly histograms: number;
  readonly size: number;

  constructor(batch: SampleBatch) {
    this.batch = batch;
    this.samples = batch.length;
    this.histograms = batch.side?.histograms?.length ?? 0;
    this.size = this.samples + this.histograms + (batch.side?.exemplars?.length ?? 0);
  }

  ref(i: number): number {
    if (i < this.samples) return this.batch.refs[i]!;
    const h = i - this.samples;
    if (h < this.histograms) return this.batch.side!.histograms![h]!.ref;
    return this.batch.side!.exemplars![h - this.histograms]!.ref;
  }

  /**
   * A new batch of the given rows (ascending, each once), copying the columns; `withMetadata` adds
   * the metadata. Every row, with the metadata if there is any, is the batch itself: a share equal
   * to what came in keeps its wire form.
   */
  select(rows: readonly number[], withMetadata: boolean): SampleBatch {
    const b = this.batch;
    if (rows.length === this.size && (withMetadata || !b.side?.metadata)) return b;
    let n = 0;
    while (n < rows.length && rows[n]! < this.samples) n++;
    const refs = new Uint32Array(n);
    const ts = new Float64Array(n);
    const values = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      const i = rows[j]!;
      refs[j] = b.refs[i]!;
      ts[j] = b.ts[i]!;
      values[j] = b.values[i]!;
    }
    const side: SideColumns = {};
    for (let j = n; j < rows.length; j++) {
      const h = rows[j]! - this.samples;
      if (h < this.histograms) (side.histograms ??= []).push(b.side!.histograms![h]!);
      else (side.exemplars ??= []).push(b.side!.exemplars![h - this.histograms]!);
    }
    if (withMetadata && b.side?.metadata) side.metadata = b.side.metadata;
    const hasSide = side.histograms || side.exemplars || side.metadata;
    return { tenant: b.tenant, length: n, refs, ts, values, ...(hasSide ? { side } : {}) };
  }
}
