import type { GroupAggregator } from './group-aggregator.js';
import { ReferenceGroupAggregator } from './group-aggregator-reference.js';
import { WasmGroupAggregator } from './group-aggregator-wasm.js';
import type { KernelVariant } from './loader.js';

/** The kernels a plugin can ask its context for. Each call gives a fresh instance with its own state. */
export interface Kernels {
  groupAggregator(): Promise<GroupAggregator>;
}

export type KernelMode = KernelVariant | 'auto' | 'reference';

/** `auto` tries SIMD then scalar; `reference` uses the TypeScript implementations (for comparison). */
export function createKernels(mode: KernelMode = 'auto'): Kernels {
  return {
    async groupAggregator() {
      if (mode === 'reference') return new ReferenceGroupAggregator();
      return WasmGroupAggregator.create(mode === 'auto' ? {} : { variant: mode });
    },
  };
}
