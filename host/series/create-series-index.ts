import type { KernelVariant } from '../kernels/loader.js';
import type { SeriesLimits } from './cardinality.js';
import { ReferenceSeriesIndex } from './reference-series-index.js';
import type { SeriesIndex } from './series-index.js';
import { WasmSeriesIndex } from './wasm-series-index.js';

export interface CreateSeriesIndexOptions {
  /** `wasm` (the kernel; default) or `reference` (plain TypeScript, for comparison and tests). */
  implementation?: 'wasm' | 'reference';
  /** Kernel build; by default SIMD where the engine has it, else scalar. */
  variant?: KernelVariant;
  limits?: SeriesLimits;
  /** Expected number of series, to size the kernel's table up front. */
  capacity?: number;
  /** Clock for the new-series rate. */
  now?: () => number;
  /** A file from save() to load into the new index. */
  file?: string;
}

/** The process-wide series index the host hands to every plugin as ctx.series. */
export async function createSeriesIndex(opts: CreateSeriesIndexOptions = {}): Promise<SeriesIndex> {
  const common = { ...(opts.limits ? { limits: opts.limits } : {}), ...(opts.now ? { now: opts.now } : {}) };
  const index =
    opts.implementation === 'reference'
      ? new ReferenceSeriesIndex(common)
      : await WasmSeriesIndex.create({ ...common, ...(opts.variant ? { variant: opts.variant } : {}), ...(opts.capacity ? { capacity: opts.capacity } : {}) });
  if (opts.file !== undefined) await index.load(opts.file);
  return index;
}
