/** Prometheus's stale marker: a NaN with a payload no arithmetic produces. */
export const STALE_NAN_BITS = 0x7ff0000000000002n;

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);
const u32 = new Uint32Array(f64.buffer);

export const STALE_NAN: number = (() => {
  u64[0] = STALE_NAN_BITS;
  return f64[0]!;
})();

/** True only for the stale marker, not for other NaNs. Compares 32-bit halves to avoid BigInt. */
export function isStaleNaN(v: number): boolean {
  if (v === v) return false;
  f64[0] = v;
  return u32[0] === 2 && u32[1] === 0x7ff00000;
}
