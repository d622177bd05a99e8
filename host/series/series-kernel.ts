import { loadKernel, type KernelInstance, type KernelVariant } from '../kernels/loader.js';

export const SERIES_INDEX_ABI_VERSION = 3;

/** The exports of asm/series-index (see its index.ts for what each does). */
export interface SeriesIndexExports {
  memory: WebAssembly.Memory;
  abi_version(): number;
  simd(): number;
  init(capacity: number, purgeThreshold: number, tagMask: number): void;
  alloc(bytes: number): number;
  free(ptr: number, bytes: number): void;
  scratch(minBytes: number): number;
  scratch_capacity(): number;
  lookup(tenant: number, ptr: number, len: number): number;
  insert(tenant: number, ptr: number, len: number): number;
  lookup_many(tenant: number, base: number, offsets: number, n: number, out: number): number;
  key_valid(ptr: number, len: number): number;
  remove(ref: number): number;
  purge(): void;
  alive(ref: number): number;
  series_record(ref: number): number;
  key_write(ref: number, out: number): number;
  key_len(ref: number): number;
  ref_limit(): number;
  live_count(): number;
  free_count(): number;
  free_at(i: number): number;
  pending_count(): number;
  next_metric_id(): number;
  pair_count(): number;
  pairs_retired(): number;
  pair_record(id: number): number;
  pair_find(tenant: number, ptr: number, len: number): number;
  restore_pair(tenant: number, ptr: number, len: number, id: number): void;
  restore_series(ref: number, tenant: number, ptr: number, len: number, metricId: number): void;
  restore_free(ref: number): void;
  restore_counters(refs: number, metricId: number, nextPair: number): void;
  intersect(a: number, an: number, b: number, bn: number, out: number): number;
  intersects_(a: number, an: number, b: number, bn: number): number;
  union(a: number, an: number, b: number, bn: number, out: number): number;
  difference(a: number, an: number, b: number, bn: number, out: number): number;
  union_many(lists: number, n: number, refLimit: number, out: number): number;
  bytes_in_use(): number;
  bytes_reserved(): number;
  table_bytes(): number;
  table_capacity(): number;
}

/** Series record fields, in u32 words from series_record(ref) (asm/series-index/series.ts). */
export const S_TENANT = 1;
export const S_NAME = 2;
export const S_JOB = 3;
export const S_INSTANCE = 4;
export const S_METRIC_ID_LO = 6;
export const S_METRIC_ID_HI = 7;

/** Pair record fields, in u32 words from pair_record(id) (asm/series-index/pairs.ts). */
export const P_BYTES = 0;
export const P_LEN = 1;
export const P_TENANT = 2;
export const P_POST = 3;
export const P_POST_LEN = 4;
export const P_LIVE = 6;
/** P_BYTES of a retired pair (its last series gone; asm/series-index/pairs.ts). */
export const RETIRED = 1;

export type SeriesKernel = KernelInstance<SeriesIndexExports>;

export interface SeriesKernelOptions {
  variant?: KernelVariant;
  /** Expected series, to size the table up front. */
  capacity?: number;
  purgeThreshold: number;
  /** Test hook: ANDed into every hash tag; small masks make keys collide on purpose. */
  hashMask?: number;
}

export async function loadSeriesKernel(opts: SeriesKernelOptions): Promise<SeriesKernel> {
  const k = await loadKernel<SeriesIndexExports>('series-index', SERIES_INDEX_ABI_VERSION, opts.variant ? { variant: opts.variant } : {});
  k.exports.init(Math.min(opts.capacity ?? 1024, 1 << 28) * 2, opts.purgeThreshold, (opts.hashMask ?? 0xffffffff) >>> 0);
  return k;
}
