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
}

/** A benchmark module in bench/ default-exports one of these. */
export interface Benchmark {
  name: string;
  description: string;
  run(options: { quick: boolean }): Promise<BenchResult[]>;
}
