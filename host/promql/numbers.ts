/**
 * Number and duration literals: reading them with Prometheus's rules and printing them the way
 * Prometheus prints them (Go's `%v` for floats, `model.Duration` for durations).
 */

/**
 * Read a number token as Prometheus does: first as a Go integer literal with base prefix (so
 * `0755` is octal 493 and `0x1f` is 31), then as a float. Returns undefined when it is neither or
 * overflows to infinity (`strconv.ParseFloat` reports that as an error).
 */
export function parseNumber(text: string): number | undefined {
  const lower = text.toLowerCase();
  if (lower === 'inf') return Infinity;
  if (lower === 'nan') return NaN;
  if (/^0[xX][0-9a-fA-F]+$/.test(text)) return Number.parseInt(text.slice(2), 16);
  if (/^0[0-7]+$/.test(text)) return Number.parseInt(text, 8);
  if (!/^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  const v = Number(text);
  return Number.isFinite(v) ? v : undefined;
}

const UNITS: ReadonlyArray<[string, number]> = [
  ['y', 365 * 24 * 3600_000],
  ['w', 7 * 24 * 3600_000],
  ['d', 24 * 3600_000],
  ['h', 3600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];
const DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** Milliseconds of a duration token like `1h30m`, or undefined if it is not one. */
export function parseDuration(text: string): number | undefined {
  if (text === '') return undefined;
  const m = DURATION.exec(text);
  if (!m) return undefined;
  let ms = 0;
  for (let i = 0; i < UNITS.length; i++) {
    const part = m[i + 1];
    if (part !== undefined) ms += Number(part) * UNITS[i]![1];
  }
  return ms;
}

/**
 * Print milliseconds like Prometheus's `model.Duration`: largest units first, years and weeks only
 * when they divide the rest exactly (`90d`, not `12w6d`), `0s` for zero.
 */
export function formatDurationMs(msIn: number): string {
  if (msIn < 0) return '-' + formatDurationMs(-msIn);
  let ms = Math.trunc(msIn);
  if (ms === 0) return '0s';
  let out = '';
  for (const [unit, mult] of UNITS) {
    if ((unit === 'y' || unit === 'w') && ms % mult !== 0) continue;
    const v = Math.floor(ms / mult);
    if (v > 0) {
      out += `${v}${unit}`;
      ms -= v * mult;
    }
  }
  return out;
}

/**
 * Seconds (as a float, the way PromQL literals carry durations) to whole milliseconds, rounding
 * through nanoseconds as Prometheus does (`time.Duration(math.Round(v * 1e9))`, then truncating
 * to milliseconds when printed).
 */
export function secondsToMs(seconds: number): number {
  return Math.trunc(Math.round(seconds * 1e9) / 1e6);
}

/**
 * Print a float like Go's `fmt.Sprint(float64)`: the shortest digits that read back exactly,
 * in exponent form when the exponent is below -4 or at least 6 (`1e-05`, `1e+06`): Go's `%g` rule
 * for shortest formatting.
 */
export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mantissa, expText] = v.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  let out: string;
  if (exp < 0) out = '0.' + '0'.repeat(-exp - 1) + digits;
  else if (digits.length <= exp + 1) out = digits + '0'.repeat(exp + 1 - digits.length);
  else out = digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1);
  return negative ? '-' + out : out;
}

/** `@` timestamps print with millisecond precision, like Go's `%.3f` of seconds. */
export function formatAtTimestamp(ms: number): string {
  return (ms / 1000).toFixed(3);
}
