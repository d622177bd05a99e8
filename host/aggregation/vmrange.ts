/**
 * VictoriaMetrics histogram buckets (`vmrange`): 18 log-spaced buckets per decade from 1e-9 to
 * 1e18, a bucket for [0, 1e-9] and one above 1e18. Upper bounds are inclusive, as for `le`.
 */
const E10_MIN = -9;
const E10_MAX = 18;
const PER_DECADE = 18;

/** Upper bounds of the finite buckets, ascending: 1e-9, 10^(-9 + 1/18), ..., 1e18. */
export const VMRANGE_BOUNDS: Float64Array = (() => {
  const n = (E10_MAX - E10_MIN) * PER_DECADE + 1;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const e = E10_MIN + Math.floor(i / PER_DECADE);
    const frac = i % PER_DECADE;
    out[i] = frac === 0 ? Number(`1e${e}`) : Math.pow(10, e + frac / PER_DECADE);
  }
  return out;
})();

/** `1.000e-09` as Go's %.3e prints it: two exponent digits at least. */
export function formatE3(v: number): string {
  const [mant, exp] = v.toExponential(3).split('e') as [string, string];
  const sign = exp.startsWith('-') ? '-' : '+';
  const digits = exp.replace(/^[+-]/, '').padStart(2, '0');
  return `${mant}e${sign}${digits}`;
}

/** The vmrange label of bucket i of a histogram laid out on VMRANGE_BOUNDS (length + 1 buckets). */
export function vmrangeLabel(i: number): string {
  const b = VMRANGE_BOUNDS;
  if (i === 0) return `0...${formatE3(b[0]!)}`;
  if (i >= b.length) return `${formatE3(b[b.length - 1]!)}...+Inf`;
  return `${formatE3(b[i - 1]!)}...${formatE3(b[i]!)}`;
}
