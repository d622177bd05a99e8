import type { GroupAggregator } from './group-aggregator.js';
import { ReferenceGroupAggregator } from './group-aggregator-reference.js';
import { WasmGroupAggregator } from './group-aggregator-wasm.js';
import { instrument, type KernelStats } from './instrument.js';
import type { KernelVariant } from './loader.js';
import type { StreamAggregator } from './stream-aggregator.js';
import { ReferenceStreamAggregator } from './stream-aggregator-reference.js';
import { WasmStreamAggregator } from './stream-aggregator-wasm.js';

/** The kernels a plugin can ask its context for. Each call gives a fresh instance with its own state. */
export interface Kernels {
  groupAggregator(): Promise<GroupAggregator>;
  /** Per-series stream aggregation state (stream_aggr), on the same kernel. */
  streamAggregator(): Promise<StreamAggregator>;
  /**
   * `target` with its per-batch `methods` counted and timed in `sluice_kernel_*` under `kernel`
   * (`name@implementation`), for kernel code a plugin drives itself (e.g. decoding in the series index).
   */
  timed<T extends object>(target: T, kernel: string, methods: readonly (keyof T & string)[]): T;
}

export type KernelMode = KernelVariant | 'auto' | 'reference';

/**
 * `auto` tries SIMD then scalar; `reference` uses the TypeScript implementations (for comparison).
 * With `stats`, the per-batch functions of every instance are counted and timed.
 */
export function createKernels(mode: KernelMode = 'auto', stats?: KernelStats): Kernels {
  const variant = mode === 'auto' || mode === 'reference' ? {} : { variant: mode };
  const timed = <T extends { implementation: string }>(k: T, name: string, fns: readonly (keyof T & string)[]): T =>
    stats ? instrument(k, `${name}@${k.implementation}`, fns, stats) : k;
  return {
    timed: (target, kernel, methods) => (stats ? instrument(target, kernel, methods, stats) : target),
    async groupAggregator() {
      const k = mode === 'reference' ? new ReferenceGroupAggregator() : await WasmGroupAggregator.create(variant);
      return timed(k, 'group_aggregator', ['update', 'reset']);
    },
    async streamAggregator() {
      const k = mode === 'reference' ? new ReferenceStreamAggregator() : await WasmStreamAggregator.create(variant);
      return timed(k, 'stream_aggregator', ['update', 'dedupFlush', 'closeWindow', 'resetGroups']);
    },
  };
}
