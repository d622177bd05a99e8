import type { AggregateState } from './group-aggregator.js';

/**
 * Stream aggregation state: the per-sample hot path of the stream_aggr processor. Refs map to
 * series slots and slots to groups through tables the host fills once per new series; a sample
 * then updates per-series counter state and per-group statistics. The WebAssembly kernel
 * (asm/aggregate) and the TypeScript reference implement it and must agree exactly.
 */
export interface StreamAggregator {
  readonly implementation: string;
  /** Feature flags (FEATURE_*): which per-series arrays exist and which group state is kept. */
  configure(flags: number): void;
  setWindow(p: WindowParams): void;
  /** Reservoir size per group for quantiles (values kept exactly up to this many per window). */
  setReservoirMax(n: number): void;
  /** Ascending histogram bucket upper bounds; bucket i counts (bounds[i-1], bounds[i]]. */
  setHistogramBounds(bounds: Float64Array): void;
  ensureRefs(refs: number): void;
  ensureSlots(slots: number): void;
  ensureGroups(groups: number): void;
  /** ref → 0 (unclassified), NO_MATCH, or slot + 1. Valid until the next ensureRefs(). */
  refTable(): Uint32Array;
  /** Per-slot arrays (slot → group in `group`); valid until the next ensureSlots(). */
  slots(): SlotState;
  /** Per-group statistics; valid until the next ensureGroups(). */
  groups(): GroupState;
  /**
   * Folds rows [0, n). Unclassified rows are written to `out` as row numbers, late rows as
   * row | LATE_ROW; returns how many entries were written. `out` must hold n entries.
   */
  update(refs: Uint32Array, values: Float64Array, ts: Float64Array, n: number, out: Uint32Array): number;
  dedupFlush(slots: number): void;
  /** Folds open rates of ring `ring` into its groups and forgets count_series marks for it. */
  closeWindow(ring: number, slots: number): void;
  /** Empties groups [from, to) (releasing their reservoirs). */
  resetGroups(from: number, to: number): void;
  clearSlots(from: number, to: number): void;
  /** The quantile reservoir of group g (a copy). */
  reservoir(g: number): Float64Array;
  /**
   * Nearest-rank quantile of group g's reservoir (NaN when empty); may reorder the reservoir, so
   * only for a window being closed.
   */
  quantile(g: number, phi: number): number;
  /** Histogram bucket counts of group g (a copy), or undefined when it has none. */
  histogram(g: number): Float64Array | undefined;
  /** Restores a group's reservoir (snapshot restore). */
  restoreReservoir(g: number, values: Float64Array, seen: number): void;
  /** Adds counts into a group's histogram (snapshot restore). */
  restoreHistogram(g: number, counts: Float64Array): void;
  /** Counters since the last call (STAT_*), then zeroed. */
  takeStats(): Float64Array;
}

export interface WindowParams {
  eventTime: boolean;
  intervalMs: number;
  rings: number;
  oldestWindow: number;
  newestWindow: number;
  /** Processing time: samples older than this are ignored; -Infinity when off. */
  minTs: number;
  ignoreFirstSample: boolean;
}

export interface SlotState {
  group: Uint32Array;
  lastTs: Float64Array;
  lastV?: Float64Array;
  seen?: Uint32Array;
  rateDelta?: Float64Array;
  rateStart?: Float64Array;
  rateRing?: Uint32Array;
  dedupV?: Float64Array;
  dedupTs?: Float64Array;
}

/** The ABI 1 fields (sum, count, min, max, last, lastTs) and what stream outputs add. */
export interface GroupState extends AggregateState {
  mean: Float64Array;
  m2: Float64Array;
  incAll: Float64Array;
  incProm: Float64Array;
  rateSum: Float64Array;
  rateN: Float64Array;
  seriesN: Float64Array;
  qSeen: Float64Array;
}

export const GROUP_FIELDS: (keyof GroupState)[] = [
  'sum', 'count', 'min', 'max', 'last', 'lastTs', 'mean', 'm2', 'incAll', 'incProm', 'rateSum', 'rateN', 'seriesN', 'qSeen',
];

export const FEATURE_COUNTERS = 1;
export const FEATURE_RATE = 2;
export const FEATURE_SERIES = 4;
export const FEATURE_DEDUP = 8;
export const FEATURE_QUANTILES = 16;
export const FEATURE_HISTOGRAM = 32;
/** Welford mean and M2 per group (stddev, stdvar); the legacy update() always keeps them. */
export const FEATURE_VARIANCE = 64;

export const NO_MATCH = 0xffffffff;
export const LATE_ROW = 0x80000000;

export const STAT_NAN = 0;
export const STAT_OLD = 1;
export const STAT_LATE = 2;
export const STAT_FUTURE = 3;
export const STAT_OUT_OF_ORDER = 4;
export const STAT_RESETS = 5;
export const STAT_APPLIED = 6;
export const STAT_DUPLICATE = 7;
export const STAT_COUNT = 8;
