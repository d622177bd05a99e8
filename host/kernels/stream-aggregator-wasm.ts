import { loadKernel, type KernelInstance, type KernelVariant } from './loader.js';
import { AGGREGATE_ABI_VERSION } from './group-aggregator-wasm.js';
import {
  GROUP_FIELDS, STAT_COUNT,
  type GroupState, type SlotState, type StreamAggregator, type WindowParams,
} from './stream-aggregator.js';

interface StreamExports {
  memory: WebAssembly.Memory;
  abi_version(): number;
  reserve(bytes: number): number;
  configure(flags: number): void;
  set_window(event: number, interval: number, rings: number, oldest: number, newest: number, min: number, ignoreFirst: number): void;
  set_reservoir_max(n: number): void;
  hist_bounds(n: number): number;
  ensure_refs(n: number): void;
  ensure_slots(n: number): void;
  ensure_groups(n: number): void;
  ref_table(): number;
  ref_capacity(): number;
  slot_ptr(field: number): number;
  slot_capacity(): number;
  state_ptr(field: number): number;
  group_u32_ptr(field: number): number;
  state_capacity(): number;
  update_series(refs: number, values: number, ts: number, n: number, out: number): number;
  dedup_flush(slots: number): void;
  close_window(ring: number, slots: number): void;
  reset(from: number, to: number): void;
  clear_slots(from: number, to: number): void;
  restore_reservoir(g: number, ptr: number, n: number, seen: number): void;
  histogram_ptr(g: number): number;
  quantile(g: number, phi: number): number;
  stats_ptr(): number;
}

/** Rows staged per kernel call; larger batches are fed in chunks. */
const STAGING_ROWS = 16_384;
const SLOT_FIELDS: [keyof SlotState, 'u32' | 'f64'][] = [
  ['group', 'u32'], ['lastTs', 'f64'], ['lastV', 'f64'], ['seen', 'u32'], ['rateDelta', 'f64'],
  ['rateStart', 'f64'], ['rateRing', 'u32'], ['dedupV', 'f64'], ['dedupTs', 'f64'],
];
const Q_PTR = 0;
const Q_LEN = 1;

/** The StreamAggregator on the `aggregate` WebAssembly kernel, in its own instance and memory. */
export class WasmStreamAggregator implements StreamAggregator {
  readonly implementation: string;
  #k: KernelInstance<StreamExports>;
  #x: StreamExports;
  #refsPtr: number;
  #valuesPtr: number;
  #tsPtr: number;
  #outPtr: number;
  #histBuckets = 0;
  #cache = new Map<string, { buffer: ArrayBuffer; cap: number; value: unknown }>();

  static async create(opts: { variant?: KernelVariant } = {}): Promise<WasmStreamAggregator> {
    return new WasmStreamAggregator(await loadKernel<StreamExports>('aggregate', AGGREGATE_ABI_VERSION, opts));
  }

  private constructor(k: KernelInstance<StreamExports>) {
    this.#k = k;
    this.#x = k.exports;
    this.implementation = `wasm-${k.variant}`;
    this.#refsPtr = this.#x.reserve(STAGING_ROWS * 4);
    this.#valuesPtr = this.#x.reserve(STAGING_ROWS * 8);
    this.#tsPtr = this.#x.reserve(STAGING_ROWS * 8);
    this.#outPtr = this.#x.reserve(STAGING_ROWS * 4);
  }

  configure(flags: number): void {
    this.#x.configure(flags);
  }

  setWindow(p: WindowParams): void {
    this.#x.set_window(p.eventTime ? 1 : 0, p.intervalMs, p.rings, p.oldestWindow, p.newestWindow, p.minTs, p.ignoreFirstSample ? 1 : 0);
  }

  setReservoirMax(n: number): void {
    this.#x.set_reservoir_max(n);
  }

  setHistogramBounds(bounds: Float64Array): void {
    const ptr = this.#x.hist_bounds(bounds.length);
    this.#k.views().f64.set(bounds, ptr >>> 3);
    this.#histBuckets = bounds.length + 1;
  }

  ensureRefs(refs: number): void {
    this.#x.ensure_refs(refs);
  }

  ensureSlots(slots: number): void {
    this.#x.ensure_slots(slots);
  }

  ensureGroups(groups: number): void {
    this.#x.ensure_groups(groups);
  }

  refTable(): Uint32Array {
    return this.#cached('refs', this.#x.ref_capacity(), (buffer, cap) => new Uint32Array(buffer, this.#x.ref_table(), cap));
  }

  slots(): SlotState {
    return this.#cached('slots', this.#x.slot_capacity(), (buffer, cap) => {
      const s = {} as Record<string, Uint32Array | Float64Array>;
      SLOT_FIELDS.forEach(([name, type], i) => {
        const ptr = this.#x.slot_ptr(i);
        if (ptr !== 0 || cap === 0) s[name] = type === 'u32' ? new Uint32Array(buffer, ptr, cap) : new Float64Array(buffer, ptr, cap);
      });
      return s as unknown as SlotState;
    });
  }

  groups(): GroupState {
    return this.#cached('groups', this.#x.state_capacity(), (buffer, cap) => {
      const s = {} as GroupState;
      GROUP_FIELDS.forEach((f, i) => (s[f] = new Float64Array(buffer, this.#x.state_ptr(i), cap)));
      return s;
    });
  }

  update(refs: Uint32Array, values: Float64Array, ts: Float64Array, n: number, out: Uint32Array): number {
    let written = 0;
    for (let start = 0; start < n; start += STAGING_ROWS) {
      const end = Math.min(n, start + STAGING_ROWS);
      const { u32, f64 } = this.#k.views();
      u32.set(refs.subarray(start, end), this.#refsPtr >>> 2);
      f64.set(values.subarray(start, end), this.#valuesPtr >>> 3);
      f64.set(ts.subarray(start, end), this.#tsPtr >>> 3);
      const got = this.#x.update_series(this.#refsPtr, this.#valuesPtr, this.#tsPtr, end - start, this.#outPtr);
      const rows = this.#k.views().u32.subarray(this.#outPtr >>> 2, (this.#outPtr >>> 2) + got);
      // Row numbers are relative to the chunk; the flag bit survives the addition.
      for (let i = 0; i < got; i++) out[written++] = (rows[i]! + start) >>> 0;
    }
    return written;
  }

  dedupFlush(slots: number): void {
    this.#x.dedup_flush(slots);
  }

  closeWindow(ring: number, slots: number): void {
    this.#x.close_window(ring, slots);
  }

  resetGroups(from: number, to: number): void {
    this.#x.reset(from, to);
  }

  clearSlots(from: number, to: number): void {
    this.#x.clear_slots(from, to);
  }

  reservoir(g: number): Float64Array {
    const { u32, f64 } = this.#k.views();
    const ptr = u32[(this.#x.group_u32_ptr(Q_PTR) >>> 2) + g]!;
    const len = u32[(this.#x.group_u32_ptr(Q_LEN) >>> 2) + g]!;
    return ptr === 0 ? new Float64Array(0) : f64.slice(ptr >>> 3, (ptr >>> 3) + len);
  }

  quantile(g: number, phi: number): number {
    return this.#x.quantile(g, phi);
  }

  histogram(g: number): Float64Array | undefined {
    if (this.#histBuckets === 0) return undefined;
    const ptr = this.#k.views().u32[(this.#x.group_u32_ptr(3) >>> 2) + g]!;
    return ptr === 0 ? undefined : this.#k.views().f64.slice(ptr >>> 3, (ptr >>> 3) + this.#histBuckets);
  }

  restoreReservoir(g: number, values: Float64Array, seen: number): void {
    const ptr = this.#x.reserve(values.length * 8);
    this.#k.views().f64.set(values, ptr >>> 3);
    this.#x.restore_reservoir(g, ptr, values.length, seen);
  }

  restoreHistogram(g: number, counts: Float64Array): void {
    const ptr = this.#x.histogram_ptr(g);
    if (ptr === 0) return;
    const f64 = this.#k.views().f64;
    for (let i = 0; i < Math.min(counts.length, this.#histBuckets); i++) f64[(ptr >>> 3) + i]! += counts[i]!;
  }

  takeStats(): Float64Array {
    const view = new Float64Array(this.#k.memory.buffer, this.#x.stats_ptr(), STAT_COUNT);
    const copy = view.slice();
    view.fill(0);
    return copy;
  }

  /** Views are rebuilt only when memory grew or the arrays moved. */
  #cached<T>(key: string, cap: number, make: (buffer: ArrayBuffer, cap: number) => T): T {
    const buffer = this.#k.memory.buffer;
    const hit = this.#cache.get(key);
    if (hit && hit.buffer === buffer && hit.cap === cap) return hit.value as T;
    const value = make(buffer, cap);
    this.#cache.set(key, { buffer, cap, value });
    return value;
  }
}
