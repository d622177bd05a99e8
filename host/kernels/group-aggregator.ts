/**
 * Per-group running sum, count, min, max and last (by timestamp) over batches of
 * (group, value, timestamp). The WebAssembly kernel and the TypeScript reference both implement it
 * and must agree exactly.
 */
export interface GroupAggregator {
  readonly implementation: string;
  /** Makes room for group ids [0, groups); new groups start empty. */
  ensureGroups(groups: number): void;
  /** Folds rows [0, n); NaN values are skipped and counted in the result. */
  update(groups: Uint32Array, values: Float64Array, ts: Float64Array, n: number): number;
  /** Empties groups [from, to). */
  reset(from: number, to: number): void;
  /** Views of the state, indexed by group; valid until the next ensureGroups(). */
  state(): AggregateState;
}

export interface AggregateState {
  sum: Float64Array;
  count: Float64Array;
  min: Float64Array;
  max: Float64Array;
  last: Float64Array;
  lastTs: Float64Array;
}
