// Aggregation state updates for stream aggregation: for every sample, find its series slot and
// group through tables the host fills once per series, and fold the value into per-series counter
// state and per-group statistics (sum, count, min, max, last, Welford variance, counter increase,
// rates, distinct series, quantile reservoir, histogram buckets), with optional dedup.
// State is structure-of-arrays; the host reads it through views of memory.
import { reserve } from '../shared/arena';
import { foldPlain, groupCapacity } from './groups';

export { reserve };
export { state_ptr, group_u32_ptr, state_capacity, ensure_groups, reset } from './groups';
export { hist_bounds, reset_random, setReservoirMax as set_reservoir_max, restore_reservoir, histogram_ptr, quantile } from './reservoir';
export {
  configure, stats_ptr, slot_ptr, slot_capacity, ref_table, ref_capacity, ensure_refs, ensure_slots,
  clear_slots, set_window, update_series, dedup_flush, close_window,
} from './series';

/** Bumped whenever an export's signature or the state layout changes. */
export const ABI_VERSION: i32 = 2;

export function abi_version(): i32 {
  return ABI_VERSION;
}

/** 1 when this build uses SIMD instructions, 0 for the scalar build. */
export function simd(): i32 {
  return ASC_FEATURE_SIMD ? 1 : 0;
}

/**
 * Folds n samples into the groups given per row (no series state). NaN values (stale markers
 * included) carry no number to aggregate and are skipped; the count of skipped samples is returned.
 * For `last`, the latest timestamp wins and a tie goes to the larger value, so the result does not
 * depend on arrival order. Aborts on a group id outside ensure_groups().
 */
export function update(groupsPtr: usize, valuesPtr: usize, tsPtr: usize, n: u32): u32 {
  let skipped: u32 = 0;
  const cap = groupCapacity;
  for (let i: u32 = 0; i < n; i++) {
    const v = load<f64>(valuesPtr + (<usize>i << 3));
    if (isNaN(v)) {
      skipped++;
      continue;
    }
    const g = load<u32>(groupsPtr + (<usize>i << 2));
    assert(g < cap, 'group id out of range');
    foldPlain(g, v, load<f64>(tsPtr + (<usize>i << 3)));
  }
  return skipped;
}
