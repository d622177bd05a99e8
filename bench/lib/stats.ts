/** Small statistics helpers shared by the runner, the load generator and the benchmarks. */

/** The median of `values` (mean of the middle two for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * The q-quantile (0..1) of `sorted` (ascending) by the nearest-rank method, the one latency tools
 * report: p99 of 100 values is the 99th value, never an interpolation between two requests.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  if (q <= 0) return sorted[0]!;
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

/** A value with its unit prefix, e.g. 1234567 → "1.23M"; small values keep three significant digits. */
export function humanNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const abs = Math.abs(v);
  const units: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [scale, suffix] of units) {
    if (abs >= scale) return `${trim(v / scale)}${suffix}`;
  }
  return trim(v);
}

/** A byte count in binary units, e.g. 1536 → "1.50 KiB". */
export function humanBytes(v: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let x = v;
  while (Math.abs(x) >= 1024 && i < units.length - 1) {
    x /= 1024;
    i++;
  }
  return i === 0 ? `${Math.round(x)} B` : `${x.toFixed(2)} ${units[i]}`;
}

function trim(v: number): string {
  const abs = Math.abs(v);
  if (abs === 0) return '0';
  if (abs >= 100) return v.toFixed(0);
  if (abs >= 10) return v.toFixed(1);
  if (abs >= 1) return v.toFixed(2);
  return v.toPrecision(3);
}

/**
 * Calls `fn` repeatedly for at least `minMs` and returns the units of work per second, where `fn`
 * returns how many units one call did. Warm-up is the caller's business.
 */
export function ratePerSecond(fn: () => number, minMs: number): number {
  let units = 0;
  const start = process.hrtime.bigint();
  let elapsedNs = 0n;
  const minNs = BigInt(Math.round(minMs * 1e6));
  do {
    units += fn();
    elapsedNs = process.hrtime.bigint() - start;
  } while (elapsedNs < minNs);
  return units / (Number(elapsedNs) / 1e9);
}

/**
 * Like ratePerSecond, but per CPU second of this process (user + system, GC threads included):
 * on a shared machine a benchmark that is descheduled loses wall time, not CPU time, so this
 * figure moves far less with the neighbours' load. Use it for single-threaded in-process work.
 */
export function ratePerCpuSecond(fn: () => number, minMs: number): number {
  let units = 0;
  const wallStart = performance.now();
  const cpuStart = process.cpuUsage();
  do {
    units += fn();
  } while (performance.now() - wallStart < minMs);
  const cpu = process.cpuUsage(cpuStart);
  return units / ((cpu.user + cpu.system) / 1e6);
}
