import { hasSideRows, type SampleBatch, type SideColumns } from '../../host/batch/sample-batch.js';
import { writeSideV1 } from '../../host/wire/encode-side.js';
import type { Labels } from '../../host/series/labels.js';
import type { SeriesIndex } from '../../host/series/series-index.js';
import { compressSnappy } from '../../host/wire/snappy-codec.js';
import { snappyDeclaredLength } from '../../host/wire/snappy.js';
import { encodeLabelsV1, labelsV1FromKey, writeRequestV1 } from '../../host/wire/encode-v1.js';
import { V2Encoder } from '../../host/wire/encode-v2.js';
import { ProtoWriter } from '../../host/wire/encode-writer.js';
import { KernelEncodeV1 } from '../../host/wire/kernel-encode-v1.js';
import { BLOCK_HEADER_BYTES, encodeBlock, writeBlockHeader } from './block-format.js';

export interface EncodedBlock {
  record: Uint8Array;
  samples: number;
  /** The body is the request the batch was decoded from, as received (SampleBatch.wire), not encoded here. */
  forwarded: boolean;
}

/**
 * Turns batches into queue blocks of at most `maxSamples` samples and about `maxBytes`
 * uncompressed bytes. A batch that carries the v1 request it was decoded from (SampleBatch.wire)
 * and fits both bounds becomes one block of those very bytes when this sink speaks v1: nothing is
 * encoded or compressed. Other v1 blocks without side columns are written and compressed by the
 * series index's kernel where it has one (kernel-encode-v1.ts): it reads each series' labels from
 * its own entries, so nothing is cached here. Otherwise what a series needs is cached per ref
 * (v1: its label bytes; v2: its label strings, which an index keeping only key bytes would
 * otherwise decode on every request), so a series costs one encoding for as long as it stays in
 * the cache (evicted when the index deletes the ref; the cache starts over when it outgrows its
 * limit, the cheapest bound that never serves stale bytes).
 */
export class BlockEncoder {
  readonly #series: SeriesIndex;
  readonly #protocol: 1 | 2;
  readonly #maxSamples: number;
  readonly #maxBytes: number;
  readonly #cacheLimit: number;
  readonly #labelCache = new Map<number, Uint8Array | Labels>();
  readonly #writer = new ProtoWriter(1 << 20);
  readonly #v2 = new V2Encoder();
  readonly #kernel: KernelEncodeV1 | undefined;
  readonly #unsubscribe: () => void;

  constructor(series: SeriesIndex, opts: { protocol: 1 | 2; maxSamples: number; maxBytes: number; cacheLimit: number }) {
    this.#series = series;
    this.#protocol = opts.protocol;
    this.#maxSamples = opts.maxSamples;
    this.#maxBytes = opts.maxBytes;
    this.#cacheLimit = opts.cacheLimit;
    this.#kernel = opts.protocol === 1 && series.kernel ? new KernelEncodeV1(series.kernel) : undefined;
    this.#unsubscribe = series.onDelete((refs) => {
      for (const ref of refs) this.#labelCache.delete(ref);
    });
  }

  /**
   * The blocks holding every row of `batch`, in row order. Side columns (histograms, exemplars,
   * metadata) ride in the first block; histograms count as samples.
   */
  encode(batch: SampleBatch): EncodedBlock[] {
    const received = this.#asReceived(batch);
    if (received) return [received];
    const out: EncodedBlock[] = [];
    let start = 0;
    let side = hasSideRows(batch) ? batch.side : undefined;
    while (start < batch.length || side) {
      let rows = Math.min(this.#maxSamples, batch.length - start);
      const kernel = side === undefined ? this.#kernel : undefined;
      // Halve a block until it fits the byte bound (a single row always goes, whatever its size).
      for (;;) {
        const size = kernel ? kernel.encode(batch, start, start + rows) : this.#write(batch, start, start + rows, side);
        if (size <= this.#maxBytes || rows <= 1) break;
        rows = Math.ceil(rows / 2);
      }
      const samples = rows + (side?.histograms?.length ?? 0);
      const record = kernel
        ? writeBlockHeader(kernel.compress(BLOCK_HEADER_BYTES), this.#protocol, batch.tenant, samples)
        : encodeBlock(this.#protocol, batch.tenant, samples, compressSnappy(this.#writer.view()));
      out.push({ record, samples, forwarded: false });
      start += rows;
      side = undefined;
    }
    return out;
  }

  /** The batch's request as received, as one block, when it is v1, this sink speaks v1 and it fits. */
  #asReceived(batch: SampleBatch): EncodedBlock | undefined {
    const wire = batch.wire;
    if (this.#protocol !== 1 || wire?.protocol !== 1) return undefined;
    // As encode() counts a block's samples: rows plus native histograms.
    const samples = batch.length + (batch.side?.histograms?.length ?? 0);
    if (samples > this.#maxSamples || snappyDeclaredLength(wire.body) > this.#maxBytes) return undefined;
    return { record: encodeBlock(1, batch.tenant, samples, wire.body), samples, forwarded: true };
  }

  get cachedSeries(): number {
    return this.#labelCache.size;
  }

  close(): void {
    this.#unsubscribe();
    this.#labelCache.clear();
  }

  /** Writes the body of rows [start, end) into the writer; returns its size. */
  #write(batch: SampleBatch, start: number, end: number, side: SideColumns | undefined): number {
    if (this.#protocol === 2) {
      this.#v2.write(this.#writer, batch, start, end, (ref) => this.#cached(ref) as Labels, side);
      return this.#writer.pos;
    }
    this.#writer.reset();
    const labelBytes = (ref: number) => this.#cached(ref) as Uint8Array;
    writeRequestV1(this.#writer, batch, start, end, labelBytes);
    if (side) writeSideV1(this.#writer, side, labelBytes, (pairs) => encodeLabelsV1(pairs.map(([name, value]) => ({ name, value }))));
    return this.#writer.pos;
  }

  /** v1: the series' label field bytes; v2: its labels. */
  #cached(ref: number): Uint8Array | Labels {
    let entry = this.#labelCache.get(ref);
    if (entry === undefined) {
      if (this.#labelCache.size >= this.#cacheLimit) this.#labelCache.clear();
      // v1 straight from the canonical key bytes: no strings for a series being sent.
      entry = this.#protocol === 2 ? this.#series.labels(ref) : labelsV1FromKey(this.#series.key(ref));
      if (this.#cacheLimit > 0) this.#labelCache.set(ref, entry);
    }
    return entry;
  }
}
