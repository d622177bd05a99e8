import type { AggregateState, GroupAggregator } from './group-aggregator.js';
import { loadKernel, type KernelInstance, type KernelVariant } from './loader.js';

export const AGGREGATE_ABI_VERSION = 2;

interface AggregateExports {
  memory: WebAssembly.Memory;
  abi_version(): number;
  simd(): number;
  reserve(bytes: number): number;
  ensure_groups(groups: number): void;
  reset(from: number, to: number): void;
  update(groupsPtr: number, valuesPtr: number, tsPtr: number, n: number): number;
  state_ptr(field: number): number;
  state_capacity(): number;
}

const FIELDS: (keyof AggregateState)[] = ['sum', 'count', 'min', 'max', 'last', 'lastTs'];

/** Rows staged per kernel call; larger batches are fed in chunks. */
const STAGING_ROWS = 16_384;

/** The GroupAggregator on the `aggregate` WebAssembly kernel, in its own instance and memory. */
export class WasmGroupAggregator implements GroupAggregator {
  readonly implementation: string;
  #k: KernelInstance<AggregateExports>;
  #groupsPtr: number;
  #valuesPtr: number;
  #tsPtr: number;
  #state: AggregateState | undefined;
  #stateBuffer: ArrayBuffer | undefined;

  static async create(opts: { variant?: KernelVariant } = {}): Promise<WasmGroupAggregator> {
    return new WasmGroupAggregator(await loadKernel<AggregateExports>('aggregate', AGGREGATE_ABI_VERSION, opts));
  }

  private constructor(k: KernelInstance<AggregateExports>) {
    this.#k = k;
    this.implementation = `wasm-${k.variant}`;
    this.#groupsPtr = k.exports.reserve(STAGING_ROWS * 4);
    this.#valuesPtr = k.exports.reserve(STAGING_ROWS * 8);
    this.#tsPtr = k.exports.reserve(STAGING_ROWS * 8);
  }

  ensureGroups(groups: number): void {
    this.#k.exports.ensure_groups(groups);
  }

  update(groups: Uint32Array, values: Float64Array, ts: Float64Array, n: number): number {
    let skipped = 0;
    for (let start = 0; start < n; start += STAGING_ROWS) {
      const end = Math.min(n, start + STAGING_ROWS);
      const { u32, f64 } = this.#k.views();
      u32.set(groups.subarray(start, end), this.#groupsPtr >>> 2);
      f64.set(values.subarray(start, end), this.#valuesPtr >>> 3);
      f64.set(ts.subarray(start, end), this.#tsPtr >>> 3);
      skipped += this.#k.exports.update(this.#groupsPtr, this.#valuesPtr, this.#tsPtr, end - start);
    }
    return skipped;
  }

  reset(from: number, to: number): void {
    this.#k.exports.reset(from, to);
  }

  state(): AggregateState {
    const buffer = this.#k.memory.buffer;
    if (this.#state === undefined || this.#stateBuffer !== buffer || this.#state.sum.length !== this.#k.exports.state_capacity()) {
      const cap = this.#k.exports.state_capacity();
      const s = {} as AggregateState;
      FIELDS.forEach((f, i) => (s[f] = new Float64Array(buffer, this.#k.exports.state_ptr(i), cap)));
      this.#state = s;
      this.#stateBuffer = buffer;
    }
    return this.#state;
  }
}
