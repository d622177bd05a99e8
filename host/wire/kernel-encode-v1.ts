import type { SampleBatch } from '../batch/sample-batch.js';
import { KernelError } from '../errors.js';
import type { KernelInstance } from '../kernels/loader.js';
import type { IndexKernel } from '../series/series-index.js';
import type { SeriesIndexExports } from '../series/series-kernel.js';

/** What asm/series-index/remote-write-encode.ts adds to the series-index kernel. */
export type EncodeV1Exports = SeriesIndexExports & {
  encode_v1_columns(rows: number): number;
  encode_v1(rows: number): number;
  encode_v1_failed_row(): number;
  encode_v1_body(): number;
  encode_v1_compress(): number;
  encode_v1_compressed(): number;
};

/** encode_v1's error results (asm/series-index/remote-write-encode.ts). */
const DEAD_REF = -1;
const BAD_TIMESTAMP = -2;

/**
 * remote_write 1.0 bodies written by the series-index kernel from its own series entries, and
 * snappy-compressed there: the same bytes as writeRequestV1 with labelsV1FromKey (encode-v1.ts)
 * and snappyCompress, without a label byte passing through JavaScript. One kernel holds one body
 * at a time: encode() and then compress(), with no other encode on that index in between.
 */
export class KernelEncodeV1 {
  readonly #k: KernelInstance<EncodeV1Exports>;
  readonly #x: EncodeV1Exports;
  /** Size of the body in kernel memory; -1 when encode() has not run or failed. */
  #size = -1;

  constructor(kernel: IndexKernel) {
    this.#k = kernel.instance as KernelInstance<EncodeV1Exports>;
    this.#x = this.#k.exports;
    if (typeof this.#x.encode_v1 !== 'function') {
      throw new KernelError('Cannot encode remote_write in the series-index kernel: its build lacks encode_v1 (run npm run build:asm)');
    }
  }

  /**
   * Writes rows [start, end) of `batch` as a WriteRequest body in kernel memory; returns its size.
   * Every ref must be live (RangeError otherwise) and every timestamp an int64 once truncated.
   */
  encode(batch: SampleBatch, start: number, end: number): number {
    this.#size = -1;
    if (!(start >= 0 && start <= end && end <= batch.length)) throw new RangeError(`rows [${start}, ${end}) are not within the batch's ${batch.length}`);
    const n = end - start;
    const x = this.#x;
    const base = x.encode_v1_columns(n) >>> 0;
    const { u8, u32, f64 } = this.#k.views();
    f64.set(batch.ts.subarray(start, end), base >>> 3);
    // Copied as bytes, so every NaN payload (the stale marker) arrives as it was.
    const values = batch.values;
    u8.set(new Uint8Array(values.buffer, values.byteOffset + start * 8, n * 8), base + n * 8);
    u32.set(batch.refs.subarray(start, end), (base + n * 16) >>> 2);
    const size = x.encode_v1(n);
    if (size < 0) throw this.#failure(size, batch, start + x.encode_v1_failed_row());
    this.#size = size;
    return size;
  }

  /** The body of the last encode(), a view of kernel memory valid until the next call. */
  body(): Uint8Array {
    this.#mustHaveBody();
    return new Uint8Array(this.#x.memory.buffer, this.#x.encode_v1_body() >>> 0, this.#size);
  }

  /**
   * The last encode()'s body snappy-compressed, in a buffer of its own that starts with
   * `headroom` bytes left for the caller (a queue record's header), so it is copied only once.
   */
  compress(headroom = 0): Uint8Array {
    this.#mustHaveBody();
    const n = this.#x.encode_v1_compress() >>> 0;
    const at = this.#x.encode_v1_compressed() >>> 0;
    const out = new Uint8Array(headroom + n);
    out.set(this.#k.views().u8.subarray(at, at + n), headroom);
    return out;
  }

  #mustHaveBody(): void {
    if (this.#size < 0) throw new RangeError('no encoded body: encode() did not run or failed');
  }

  #failure(code: number, batch: SampleBatch, row: number): Error {
    if (code === DEAD_REF) {
      return new RangeError(`cannot encode series ref ${batch.refs[row]} (row ${row}): the series index no longer holds it`);
    }
    if (code === BAD_TIMESTAMP) {
      return new RangeError(`cannot encode timestamp ${batch.ts[row]} (row ${row}): not an int64 number of milliseconds`);
    }
    return new KernelError(`encode_v1 returned unknown code ${code}`);
  }
}
