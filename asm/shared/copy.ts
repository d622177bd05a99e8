// Short copies without a call into the engine.

/**
 * Copies n bytes between regions that do not overlap. memory.copy costs a call into the engine
 * each time, which dominates for the short strings kernels copy most (label names and values,
 * snappy literals): v1 encoding took half as long again with it. Up to 32 bytes go as word
 * moves, the last one overlapping the one before, so nothing outside either region is touched.
 */
// @ts-ignore: decorator
@inline export function copyShort(dst: usize, src: usize, n: usize): void {
  if (n > 32) {
    memory.copy(dst, src, n);
  } else if (n >= 8) {
    for (let i: usize = 0; i + 8 < n; i += 8) store<u64>(dst + i, load<u64>(src + i));
    store<u64>(dst + n - 8, load<u64>(src + n - 8));
  } else if (n >= 4) {
    store<u32>(dst, load<u32>(src));
    store<u32>(dst + n - 4, load<u32>(src + n - 4));
  } else if (n > 0) {
    store<u8>(dst, load<u8>(src));
    store<u8>(dst + n - 1, load<u8>(src + n - 1));
    if (n == 3) store<u8>(dst + 1, load<u8>(src + 1));
  }
}
