/** One figure printed by `npm run bench`. */
export interface BenchResult {
  /** Hot path, e.g. `aggregate-kernel` or `promql-parse`. */
  name: string;
  /** What was measured, e.g. `throughput`, `p99`, `bytes/series`. */
  metric: string;
  value: number;
  /** `samples/s`, `ops/s`, `ns/op`, `bytes`, ... */
  unit: string;
  /** What the figure is compared with: a TypeScript reference or a peer program. */
  reference?: string;
  referenceValue?: number;
  /** value / referenceValue, oriented so that > 1 means Sluice is better. */
  ratio?: number;
  /**
   * Whether a larger value is better. Used by `--compare` to call a change an improvement or a
   * regression; when absent it is inferred from the unit (rates are better higher, times and sizes
   * lower).
   */
  better?: 'higher' | 'lower';
  /** The value of every repeat when `value` is their median, so the noise is visible in the JSON. */
  runs?: number[];
  /** A short remark printed under the table, e.g. why a peer figure is missing. */
  note?: string;
}

/** What the runner hands to every benchmark. Fields beyond `quick` are optional for older benches. */
export interface BenchOptions {
  /** A short run for iterating: fewer repeats, shorter loops. */
  quick: boolean;
  /** How many times to repeat a noisy measurement before taking the median (default 3, quick 1). */
  repeats?: number;
  /** Progress output; goes to stderr so the table on stdout stays clean. */
  log?: (line: string) => void;
}

/** A benchmark module in bench/ default-exports one of these. */
export interface Benchmark {
  name: string;
  description: string;
  run(options: BenchOptions): Promise<BenchResult[]>;
}
