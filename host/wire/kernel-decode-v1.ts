import type { Exemplar, HistogramSample, MetricMetadata } from '../batch/sample-batch.js';
import type { Tenant } from '../batch/tenant.js';
import type { IndexKernel } from '../series/series-index.js';
import type { SeriesIndexExports } from '../series/series-kernel.js';
import { BatchCollector, type CollectorIndex } from './batch-collector.js';
import { decodeWriteRequestV1, exemplarAt, metadataAt } from './decode-v1.js';
import { histogramAt } from './series-walk.js';
import { SeriesKeyBuilder, type LabelLimits } from './series-key-builder.js';
import { snappyError, snappyLengthWithin } from './snappy.js';

/** The exports of asm/series-index/remote-write-decode.ts. */
interface DecodeExports extends SeriesIndexExports {
  rw_input(n: number): number;
  rw_result(): number;
  rw_decode_v1(tenant: number, n: number, total: number, maxLabels: number, maxLength: number, wireLimit: number): number;
  rw_assign(): void;
}

// Words of the kernel's result block (RESULT_* in the kernel).
const RAW = 0;
const RAW_LEN = 1;
const KEYS = 2;
const OFFSETS = 3;
const REFS = 4;
const SERIES = 5;
const ROW_SERIES = 6;
const ROW_TS = 7;
const ROW_VALUE = 8;
const ROWS = 9;
const SIDE = 10;
const SIDE_COUNT = 11;

const SIDE_METADATA = 1;
const SIDE_EXEMPLAR = 2;
const SIDE_WORDS = 5;
const NOT_FOUND = 0xffffffff;

/** A located exemplar, histogram or metadata message, turned into its object, still by series ordinal. */
type SideItem =
  | { kind: 'metadata'; rowsBefore: number; value: MetricMetadata }
  | { kind: 'exemplar'; rowsBefore: number; series: number; value: Exemplar }
  | { kind: 'histogram'; rowsBefore: number; series: number; value: HistogramSample };

/**
 * remote_write 1.0 bodies decoded inside the series index's kernel (asm/series-index/
 * remote-write-decode.ts): one copy of the compressed body in, one kernel call that decompresses,
 * walks and looks up every series, and the sample columns copied out. Keys the index lacks are
 * checked here with the same rules as the TypeScript path (SeriesKeyBuilder) before any is
 * inserted. decodeWriteRequestV1() is the reference: the kernel accepts exactly what it accepts,
 * and when the kernel refuses a body the reference is run on it for the message.
 */
export class KernelDecoderV1 {
  readonly #kernel: IndexKernel;
  readonly #x: DecodeExports;
  readonly #keys: SeriesKeyBuilder;
  readonly #limits: LabelLimits;
  readonly #wireBytes: number;

  /**
   * `keys` supplies the label rules (and checks new keys); `limits` must be the ones it was made
   * with. `wireBytes` bounds what the index keeps of series' labels as senders encode them (0: none).
   */
  constructor(kernel: IndexKernel, keys: SeriesKeyBuilder, limits: LabelLimits, wireBytes = 0) {
    this.#kernel = kernel;
    this.#x = kernel.instance.exports as DecodeExports;
    this.#keys = keys;
    this.#limits = limits;
    this.#wireBytes = Math.min(wireBytes, 0xffffffff);
  }

  /** As decodeRemoteWrite() for version 1: TooLargeError over `maxBytes`, WireError when malformed. */
  decodeWriteRequest(body: Uint8Array, maxBytes: number, tenant: Tenant, out: BatchCollector): void {
    const total = snappyLengthWithin(body, maxBytes);
    const x = this.#x;
    const input = x.rw_input(body.length) >>> 0;
    new Uint8Array(x.memory.buffer, input, body.length).set(body);
    const tid = this.#kernel.tenantId(tenant);
    const misses = x.rw_decode_v1(tid, body.length, total, this.#limits.maxLabelsPerSeries, this.#limits.maxLabelValueLength, this.#wireBytes);
    if (misses < 0) this.#refuse(misses, tenant);
    const result = x.rw_result() >>> 2;
    const word = (w: number) => this.#kernel.instance.views().u32[result + w]!;
    const series = word(SERIES);
    // Everything that can still refuse the body runs before a single new series is inserted; when
    // something does, the reference says why, so the message is the one it would give.
    let side: SideItem[] = [];
    try {
      if (word(SIDE_COUNT) > 0) side = this.#side(word(SIDE) >>> 2, word(SIDE_COUNT), word(RAW), word(RAW_LEN));
      if (misses > 0) this.#checkNew(word(KEYS), word(OFFSETS) >>> 2, word(REFS) >>> 2, series);
    } catch (err) {
      this.#explain(tenant);
      throw err;
    }
    if (misses > 0) {
      const inserted = this.#insertNew(tid, word(KEYS), word(OFFSETS) >>> 2, word(REFS) >>> 2, series);
      // Views taken after the inserts, which may have grown memory.
      const u32 = this.#kernel.instance.views().u32;
      for (const [i, ref] of inserted) u32[(word(REFS) >>> 2) + i] = ref;
    }
    x.rw_assign();
    const { u32, f64 } = this.#kernel.instance.views();
    const rows = word(ROWS);
    const refs = u32.subarray(word(ROW_SERIES) >>> 2, (word(ROW_SERIES) >>> 2) + rows);
    const ts = f64.subarray(word(ROW_TS) >>> 3, (word(ROW_TS) >>> 3) + rows);
    const values = f64.subarray(word(ROW_VALUE) >>> 3, (word(ROW_VALUE) >>> 3) + rows);
    const refOf = u32.subarray(word(REFS) >>> 2, (word(REFS) >>> 2) + series);
    out.resolved(series);
    let emitted = 0;
    for (const item of side) {
      out.rows(refs, ts, values, emitted, item.rowsBefore);
      emitted = item.rowsBefore;
      if (item.kind === 'metadata') out.metadata(item.value);
      else if (item.kind === 'exemplar') out.exemplar({ ...item.value, ref: refOf[item.series]! });
      else out.histogram(refOf[item.series]!, item.value.ts, item.value.histogram);
    }
    out.rows(refs, ts, values, emitted, rows);
  }

  /** The located side messages as objects, metadata first (the reference decodes it before any row). */
  #side(sideAt: number, count: number, raw: number, rawLength: number): SideItem[] {
    const { u32, u8 } = this.#kernel.instance.views();
    const body = u8.subarray(raw, raw + rawLength);
    const items: SideItem[] = [];
    for (let i = 0; i < count; i++) {
      const w = sideAt + i * SIDE_WORDS;
      const [kind, series, start, end, rowsBefore] = [u32[w]!, u32[w + 1]!, u32[w + 2]!, u32[w + 3]!, u32[w + 4]!];
      if (kind === SIDE_METADATA) items.push({ kind: 'metadata', rowsBefore: 0, value: metadataAt(body, start, end) });
      else if (kind === SIDE_EXEMPLAR) items.push({ kind: 'exemplar', rowsBefore, series, value: exemplarAt(body, start, end, 0) });
      else items.push({ kind: 'histogram', rowsBefore, series, value: histogramAt(body, start, end, 0) });
    }
    // Stable: metadata keeps its order and goes before the rows, as in the reference.
    return items.sort((a, b) => (a.kind === 'metadata' ? 0 : 1) - (b.kind === 'metadata' ? 0 : 1));
  }

  /** Applies the label rules to every key the index lacks. */
  #checkNew(keys: number, offsetsAt: number, refsAt: number, series: number): void {
    const { u32, u8 } = this.#kernel.instance.views();
    for (let i = 0; i < series; i++) {
      if (u32[refsAt + i] === NOT_FOUND) this.#keys.checkKeyAt(u8, keys + u32[offsetsAt + i]!, keys + u32[offsetsAt + i + 1]!, i);
    }
  }

  /** Inserts every key the index lacks; returns [series ordinal, ref] pairs. */
  #insertNew(tid: number, keys: number, offsetsAt: number, refsAt: number, series: number): [number, number][] {
    const missing: number[] = [];
    const found = this.#kernel.instance.views().u32;
    for (let i = 0; i < series; i++) if (found[refsAt + i] === NOT_FOUND) missing.push(i);
    const inserted: [number, number][] = [];
    for (const i of missing) {
      // Views are taken again: an insert may grow memory, which detaches the old ones.
      const offsets = this.#kernel.instance.views().u32;
      const start = keys + offsets[offsetsAt + i]!;
      const length = offsets[offsetsAt + i + 1]! - offsets[offsetsAt + i]!;
      // Looked up again: an earlier key of this body may have been the same series.
      const ref = this.#x.lookup(tid, start, length);
      inserted.push([i, ref >= 0 ? ref : this.#kernel.insertAt(tid, start, length)]);
    }
    return inserted;
  }

  /** Throws the error the reference gives for the body the kernel refused with `code`. */
  #refuse(code: number, tenant: Tenant): never {
    if (code >= -7) throw snappyError(code);
    this.#explain(tenant);
    throw new Error(`remote_write kernel refused a body (code ${code}) that the reference decoder accepts`);
  }

  /** Runs the reference decoder on the raw body in the kernel, which throws why it refuses it. */
  #explain(tenant: Tenant): void {
    const { u32, u8 } = this.#kernel.instance.views();
    const result = this.#x.rw_result() >>> 2;
    const raw = u8.slice(u32[result + RAW]!, u32[result + RAW]! + u32[result + RAW_LEN]!);
    decodeWriteRequestV1(raw, new BatchCollector(CHECK_ONLY, tenant, 1 << 30), new SeriesKeyBuilder(this.#limits, 'series', { deferChecks: true }));
  }
}

/**
 * An index for explaining refusals: it inserts nothing, so running the reference decoder on a
 * refused body leaves no trace, and it treats every key as new, so every key is checked in the
 * order the reference checks new keys (a key the real index holds passed the same checks).
 */
const CHECK_ONLY: CollectorIndex = {
  resolveKey: () => 0,
  scratch: (minBytes) => new Uint8Array(minBytes),
  resolveScratchBatch: (_tenant, _offsets, count, out, checkNew) => {
    for (let i = 0; i < count; i++) checkNew?.(i);
    out.fill(0, 0, count);
  },
};
