import type { Tenant } from '../batch/tenant.js';
import { BadInputError } from '../errors.js';
import type { KernelVariant } from '../kernels/loader.js';
import { METRIC_NAME, type Labels } from './labels.js';
import type { Matcher } from './matcher.js';
import { PairDictionary } from './pair-dictionary.js';
import { selectPostings } from './postings-select.js';
import { SeriesIndexBase, DEFAULT_PURGE_THRESHOLD, type SeriesIndexOptions } from './series-index-base.js';
import type { IndexKernel } from './series-index.js';
import {
  loadSeriesKernel, P_BYTES, P_LEN, P_LIVE, P_TENANT, S_INSTANCE, S_JOB, S_METRIC_ID_HI, S_METRIC_ID_LO, S_NAME, S_TENANT,
  type SeriesIndexExports, type SeriesKernel,
} from './series-kernel.js';
import { decodeSeriesKey, encodeSeriesKey, varintSize, writeVarint } from './series-key.js';
import { makeTsid, type Tsid } from './tsid.js';

export interface WasmSeriesIndexOptions extends SeriesIndexOptions {
  variant?: KernelVariant;
  /** Expected number of series, to size the table up front (it grows anyway). */
  capacity?: number;
  /** Test hook: ANDed into every hash tag so that distinct keys collide. */
  hashMask?: number;
}

const encoder = new TextEncoder();

/**
 * The series index on the `series-index` WebAssembly kernel. A known series costs one kernel
 * call on the key bytes (hash, probe, verify); strings are made only for new series that a limit
 * needs to see, and for the query APIs.
 */
export class WasmSeriesIndex extends SeriesIndexBase {
  readonly implementation: string;
  readonly #k: SeriesKernel;
  readonly #x: SeriesIndexExports;
  readonly #dict: PairDictionary;
  #scratchPtr = 0;
  #scratchCap = 0;
  #scratchView: Uint8Array | undefined;
  /** A second buffer for pair lookups, so they never clobber a key waiting in scratch. */
  #pairPtr = 0;
  #pairCap = 0;
  /** Kernel buffer for resolveScratchBatch: offsets (capacity + 1 u32), then refs out. */
  #batchPtr = 0;
  #batchCap = 0;
  /** Kernel buffer keys are rebuilt into for key() and labels(). */
  #keyPtr = 0;
  #keyCap = 0;
  readonly kernel: IndexKernel;

  static async create(opts: WasmSeriesIndexOptions = {}): Promise<WasmSeriesIndex> {
    const k = await loadSeriesKernel({ ...opts, purgeThreshold: opts.purgeThreshold ?? DEFAULT_PURGE_THRESHOLD });
    return new WasmSeriesIndex(k, opts);
  }

  private constructor(k: SeriesKernel, opts: SeriesIndexOptions) {
    super(opts);
    this.#k = k;
    this.#x = k.exports;
    this.#dict = new PairDictionary(k);
    this.implementation = `wasm-${k.variant}`;
    this.#scratchPtr = this.#x.scratch(0) >>> 0;
    this.#scratchCap = this.#x.scratch_capacity();
    this.kernel = { instance: k, tenantId: (t) => this.tenantId(t), insertAt: (tid, ptr, length) => this.#insertAt(tid, ptr, length) };
  }

  scratch(minBytes: number): Uint8Array {
    if (minBytes > this.#scratchCap) {
      this.#scratchPtr = this.#x.scratch(minBytes) >>> 0;
      this.#scratchCap = this.#x.scratch_capacity();
      this.#scratchView = undefined;
    }
    // memory.grow detaches the old buffer, and a view of a detached buffer has byteLength 0.
    if (this.#scratchView === undefined || this.#scratchView.byteLength === 0) {
      this.#scratchView = new Uint8Array(this.#x.memory.buffer, this.#scratchPtr, this.#scratchCap);
    }
    return this.#scratchView;
  }

  resolveScratch(tenant: Tenant, length: number): number {
    const tid = this.tenantId(tenant);
    const ref = this.#x.lookup(tid, this.#scratchPtr, length);
    return ref >= 0 ? ref : this.#insert(tid, length);
  }

  resolveKey(tenant: Tenant, key: Uint8Array, length: number): number {
    let view = this.#scratchView;
    if (view === undefined || view.byteLength === 0 || length > this.#scratchCap) view = this.scratch(length);
    view.set(length === key.length ? key : key.subarray(0, length));
    return this.resolveScratch(tenant, length);
  }

  resolve(tenant: Tenant, labels: Labels): number {
    const key = encodeSeriesKey(labels);
    return this.resolveKey(tenant, key, key.length);
  }

  resolveScratchBatch(tenant: Tenant, offsets: Uint32Array, count: number, out: Uint32Array, checkNew?: (i: number) => void): void {
    if (count === 0) return;
    const tid = this.tenantId(tenant);
    if (offsets[count]! > this.#scratchCap) throw new RangeError(`keys end at ${offsets[count]}, past the scratch buffer (${this.#scratchCap} bytes)`);
    if (count > this.#batchCap) {
      this.#x.free(this.#batchPtr, this.#batchCap * 8 + 4);
      this.#batchCap = Math.max(count, 1024);
      this.#batchPtr = this.#x.alloc(this.#batchCap * 8 + 4) >>> 0;
    }
    const offsetsPtr = this.#batchPtr;
    const outPtr = offsetsPtr + (this.#batchCap + 1) * 4;
    const u32 = this.#k.views().u32;
    u32.set(offsets.length === count + 1 ? offsets : offsets.subarray(0, count + 1), offsetsPtr >>> 2);
    const misses = this.#x.lookup_many(tid, this.#scratchPtr, offsetsPtr, count, outPtr);
    out.set(u32.subarray(outPtr >>> 2, (outPtr >>> 2) + count));
    if (misses === 0) return;
    if (checkNew) for (let i = 0; i < count; i++) if (out[i] === 0xffffffff) checkNew(i);
    for (let i = 0; i < count; i++) {
      if (out[i] !== 0xffffffff) continue;
      // Looked up again: an earlier key of this batch may have been the same series.
      const start = offsets[i]!;
      const ref = this.#x.lookup(tid, this.#scratchPtr + start, offsets[i + 1]! - start);
      out[i] = ref >= 0 ? ref : this.#insert(tid, offsets[i + 1]! - start, start);
    }
  }

  #insert(tid: number, length: number, offset = 0): number {
    if (offset + length > this.#scratchCap) throw new BadInputError(`malformed series key of ${length} bytes: past the scratch buffer`);
    return this.#insertAt(tid, this.#scratchPtr + offset, length);
  }

  #insertAt(tid: number, ptr: number, length: number): number {
    if (this.#x.key_valid(ptr, length) !== 1) {
      throw new BadInputError(`malformed series key of ${length} bytes: truncated or overlong varint`);
    }
    this.admit(tid, () => decodeSeriesKey(new Uint8Array(this.#x.memory.buffer, ptr, length)));
    const ref = this.#x.insert(tid, ptr, length) >>> 0;
    this.cardinalityTracker.created(tid);
    return ref;
  }

  #record(ref: number): number {
    if (this.#x.alive(ref) !== 1) throw new RangeError(`unknown series ref ${ref}`);
    return this.#x.series_record(ref) >>> 2;
  }

  /** The key of a live ref, rebuilt from its pairs into a kernel buffer; valid until the next call. */
  #keyView(ref: number): Uint8Array {
    this.#record(ref);
    const len = this.#x.key_len(ref);
    this.#keyBuffer(len);
    this.#x.key_write(ref, this.#keyPtr);
    return new Uint8Array(this.#x.memory.buffer, this.#keyPtr, len);
  }

  #keyBuffer(bytes: number): void {
    if (bytes <= this.#keyCap) return;
    this.#x.free(this.#keyPtr, this.#keyCap);
    this.#keyCap = Math.max(1024, bytes);
    this.#keyPtr = this.#x.alloc(this.#keyCap) >>> 0;
  }

  /** Keys rebuilt back to back in the kernel and copied out once: key()'s view and copy cost about a microsecond a key. */
  override keys(refs: ArrayLike<number>): { bytes: Uint8Array; offsets: Uint32Array } {
    const n = refs.length;
    const offsets = new Uint32Array(n + 1);
    for (let i = 0; i < n; i++) {
      const ref = refs[i]!;
      if (this.#x.alive(ref) !== 1) throw new RangeError(`unknown series ref ${ref}`);
      offsets[i + 1] = offsets[i]! + this.#x.key_len(ref);
    }
    this.#keyBuffer(offsets[n]!);
    for (let i = 0; i < n; i++) this.#x.key_write(refs[i]!, this.#keyPtr + offsets[i]!);
    return { bytes: this.#k.views().u8.slice(this.#keyPtr, this.#keyPtr + offsets[n]!), offsets };
  }

  labels(ref: number): Labels {
    return decodeSeriesKey(this.#keyView(ref));
  }

  key(ref: number): Uint8Array {
    return this.#keyView(ref).slice();
  }

  tsid(ref: number): Tsid {
    const r = this.#record(ref);
    const u32 = this.#k.views().u32;
    const metricId = u32[r + S_METRIC_ID_LO]! + u32[r + S_METRIC_ID_HI]! * 2 ** 32;
    return makeTsid(this.tenants[u32[r + S_TENANT]!]!, u32[r + S_NAME]!, u32[r + S_JOB]!, u32[r + S_INSTANCE]!, metricId);
  }

  has(ref: number): boolean {
    return this.#x.alive(ref) === 1;
  }

  get size(): number {
    return this.#x.live_count();
  }

  protected tenantIdOf(ref: number): number {
    return this.#k.views().u32[this.#record(ref) + S_TENANT]!;
  }

  protected removeOne(ref: number): boolean {
    return this.#x.remove(ref) === 1;
  }

  protected purge(): void {
    this.#x.purge();
  }

  /** The pair id of name=value in a tenant (0 when absent); name '' is the tenant itself. */
  #findPair(tid: number, name: string, value: string): number {
    // Not cached: a tenant whose series all went is retired and comes back under a new id.
    if (name === '') return this.#x.pair_find(tid, this.#pairPtr, 0);
    const n = encoder.encode(name);
    const v = encoder.encode(value);
    const len = varintSize(n.length) + n.length + varintSize(v.length) + v.length;
    if (len > this.#pairCap) {
      this.#x.free(this.#pairPtr, this.#pairCap);
      this.#pairCap = Math.max(256, len);
      this.#pairPtr = this.#x.alloc(this.#pairCap) >>> 0;
    }
    const u8 = this.#k.views().u8;
    let p = writeVarint(u8, this.#pairPtr, n.length);
    u8.set(n, p);
    p = writeVarint(u8, p + n.length, v.length);
    u8.set(v, p);
    return this.#x.pair_find(tid, this.#pairPtr, len);
  }

  protected activeSeriesOf(tid: number): number {
    return this.#dict.live(this.#findPair(tid, '', ''));
  }

  protected activeForMetric(tid: number, name: string): number {
    return this.#dict.live(this.#findPair(tid, METRIC_NAME, name));
  }

  protected liveNames(tid: number): string[] {
    return this.#dict.liveNames(tid);
  }

  protected liveValues(tid: number, name: string): string[] {
    return this.#dict.liveValues(tid, name);
  }

  protected selectIn(tid: number, matchers: readonly Matcher[]): Uint32Array {
    const tenantPair = this.#findPair(tid, '', '');
    if (tenantPair === 0) return new Uint32Array(0);
    return selectPostings(this.#k, this.#dict, tid, tenantPair, matchers, (n, v) => this.#findPair(tid, n, v));
  }

  protected image() {
    const k = this.#k;
    const x = this.#x;
    const keyView = (ref: number) => this.#keyView(ref);
    const free = new Uint32Array(x.free_count());
    for (let i = 0; i < free.length; i++) free[i] = x.free_at(i);
    return {
      refLimit: x.ref_limit(),
      nextPair: x.pair_count(),
      nextMetricId: x.next_metric_id(),
      free,
      pairs(emit: (id: number, tenantId: number, bytes: Uint8Array) => void) {
        const { u8, u32 } = k.views();
        for (let id = 1; id < x.pair_count(); id++) {
          const r = x.pair_record(id) >>> 2;
          if (r === 0 || u32[r + P_LIVE] === 0) continue;
          const start = u32[r + P_BYTES]!;
          emit(id, u32[r + P_TENANT]!, u8.subarray(start, start + u32[r + P_LEN]!));
        }
      },
      series(emit: (ref: number, tenantId: number, metricId: number, key: Uint8Array) => void) {
        for (let ref = 0; ref < x.ref_limit(); ref++) {
          if (x.alive(ref) !== 1) continue;
          const key = keyView(ref);
          const u32 = k.views().u32;
          const r = x.series_record(ref) >>> 2;
          emit(ref, u32[r + S_TENANT]!, u32[r + S_METRIC_ID_LO]! + u32[r + S_METRIC_ID_HI]! * 2 ** 32, key);
        }
      },
    };
  }

  protected restorer() {
    const x = this.#x;
    const stage = (bytes: Uint8Array): number => {
      this.scratch(bytes.length).set(bytes);
      return this.#scratchPtr;
    };
    const corrupt = (what: string): never => {
      throw new RangeError(`Cannot load series index: ${what} is not a valid series key`);
    };
    return {
      pair: (id: number, tid: number, bytes: Uint8Array) => {
        const p = stage(bytes);
        if (bytes.length > 0 && x.key_valid(p, bytes.length) !== 1) corrupt(`pair ${id}`);
        x.restore_pair(tid, p, bytes.length, id);
      },
      series: (ref: number, tid: number, metricId: number, key: Uint8Array) => {
        const p = stage(key);
        if (x.key_valid(p, key.length) !== 1) corrupt(`series ${ref}`);
        x.restore_series(ref, tid, p, key.length, metricId);
      },
      free: (ref: number) => x.restore_free(ref),
      counters: (refLimit: number, nextPair: number, nextMetricId: number) => x.restore_counters(refLimit, nextMetricId, nextPair),
    };
  }

  /** Kernel memory: bytes in live blocks, bytes taken from the heap, and the wasm memory size. */
  memoryStats(): { inUse: number; reserved: number; memory: number } {
    return { inUse: this.#x.bytes_in_use() >>> 0, reserved: this.#x.bytes_reserved() >>> 0, memory: this.#x.memory.buffer.byteLength };
  }
}
