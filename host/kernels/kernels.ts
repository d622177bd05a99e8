import type { GroupAggregator } from './group-aggregator.js';
import { ReferenceGroupAggregator } from './group-aggregator-reference.js';
import { WasmGroupAggregator } from './group-aggregator-wasm.js';
import type { KernelVariant } from './loader.js';
import type { StreamAggregator } from './stream-aggregator.js';
import { ReferenceStreamAggregator } from './stream-aggregator-reference.js';
import { WasmStreamAggregator } from './stream-aggregator-wasm.js';

/** The kernels a plugin can ask its context for. Each call gives a fresh instance with its own state. */
export interface Kernels {
  groupAggregator(): Promise<GroupAggregator>;
  /** Per-series stream aggregation state (stream_aggr), on the same kernel. */
  streamAggregator(): Promise<StreamAggregator>;
}

export type KernelMode = KernelVariant | 'auto' | 'reference';

/** `auto` tries SIMD then scalar; `reference` uses the TypeScript implementations (for comparison). */
export function createKernels(mode: KernelMode = 'auto'): Kernels {
  return {
    async groupAggregator() {
      if (mode === 'reference') return new ReferenceGroupAggregator();
      return WasmGroupAggregator.create(mode === 'auto' ? {} : { variant: mode });
    },
    async streamAggregator() {
      if (mode === 'reference') return new ReferenceStreamAggregator();
      return WasmStreamAggregator.create(mode === 'auto' ? {} : { variant: mode });
    },
  };
}
