/**
 * The outputs of a rule: which names vmagent accepts, what state each needs, and how output series
 * are named (`<metric>:<interval>[_by_<labels>|_without_<labels>]_<output>`).
 */
import {
  FEATURE_COUNTERS, FEATURE_HISTOGRAM, FEATURE_QUANTILES, FEATURE_RATE, FEATURE_SERIES, FEATURE_VARIANCE,
} from '../kernels/stream-aggregator.js';

export const OUTPUT_KINDS = [
  'total', 'total_prometheus', 'increase', 'increase_prometheus', 'rate_sum', 'rate_avg',
  'count_samples', 'count_series', 'unique_samples', 'sum_samples', 'sum_samples_total',
  'last', 'min', 'max', 'avg', 'stddev', 'stdvar', 'quantiles', 'histogram_bucket',
] as const;

export type OutputKind = (typeof OUTPUT_KINDS)[number];

export interface OutputSpec {
  kind: OutputKind;
  /** For quantiles: the phis in the order written. */
  phis?: number[];
  /** As written in config. */
  text: string;
}

/** Outputs whose value carries over from one interval to the next (cumulative counters). */
export const CUMULATIVE: ReadonlySet<OutputKind> = new Set(['total', 'total_prometheus', 'sum_samples_total']);

const QUANTILES_RE = /^quantiles\((.*)\)$/;

/** Parses one output, or returns why it is not one. */
export function parseOutput(text: string): OutputSpec | string {
  const q = QUANTILES_RE.exec(text.trim());
  if (q) {
    const parts = q[1]!.split(',').map((s) => s.trim());
    if (parts.length === 0 || parts.some((p) => p === '')) return `quantiles needs at least one phi: ${JSON.stringify(text)}`;
    const phis: number[] = [];
    for (const p of parts) {
      const phi = Number(p);
      if (!Number.isFinite(phi)) return `cannot parse phi ${JSON.stringify(p)} in ${JSON.stringify(text)}`;
      if (phi < 0 || phi > 1) return `phi inside ${JSON.stringify(text)} must be in the range [0..1]; got ${p}`;
      phis.push(phi);
    }
    return { kind: 'quantiles', phis, text };
  }
  if ((OUTPUT_KINDS as readonly string[]).includes(text) && text !== 'quantiles') return { kind: text as OutputKind, text };
  return `unsupported output ${JSON.stringify(text)}; supported: ${OUTPUT_KINDS.filter((k) => k !== 'quantiles').join(', ')}, quantiles(phi1, ..., phiN)`;
}

/** Parses a rule's outputs; problems come back with their index. */
export function parseOutputs(list: readonly string[]): { outputs: OutputSpec[]; problems: { index: number; message: string }[] } {
  const outputs: OutputSpec[] = [];
  const problems: { index: number; message: string }[] = [];
  const seen = new Set<string>();
  list.forEach((text, index) => {
    const o = parseOutput(text);
    if (typeof o === 'string') return void problems.push({ index, message: o });
    if (seen.has(o.kind)) {
      const what = o.kind === 'quantiles' ? 'quantiles(...) may be given only once' : `duplicate output ${JSON.stringify(text)}`;
      return void problems.push({ index, message: what });
    }
    seen.add(o.kind);
    outputs.push(o);
  });
  if (list.length === 0) problems.push({ index: -1, message: 'outputs must contain at least one output' });
  return { outputs, problems };
}

/** Kernel features the outputs need. */
export function outputFeatures(outputs: readonly OutputSpec[]): number {
  let f = 0;
  for (const o of outputs) {
    if (/^(total|increase|rate)/.test(o.kind)) f |= FEATURE_COUNTERS;
    if (o.kind.startsWith('rate_')) f |= FEATURE_RATE;
    if (o.kind === 'count_series') f |= FEATURE_SERIES;
    if (o.kind === 'quantiles') f |= FEATURE_QUANTILES;
    if (o.kind === 'histogram_bucket') f |= FEATURE_HISTOGRAM;
    if (o.kind === 'stddev' || o.kind === 'stdvar') f |= FEATURE_VARIANCE;
  }
  return f;
}

/** The metric name suffix shared by a rule's outputs: `:1m_by_job_instance`. */
export function nameInfix(intervalText: string, by: readonly string[], without: readonly string[]): string {
  let s = `:${intervalText}`;
  if (by.length > 0) s += `_by_${by.join('_')}`;
  if (without.length > 0) s += `_without_${without.join('_')}`;
  return s;
}

/** The output metric name of `metric` for one output. */
export function outputName(metric: string, infix: string, output: OutputSpec, keepMetricNames: boolean): string {
  if (keepMetricNames) return metric;
  return `${metric}${infix}_${output.kind}`;
}

/** Quantile the way vmagent picks it from sorted values: nearest rank, rounding half up. */
export function quantileOfSorted(sorted: ArrayLike<number>, phi: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  if (phi <= 0) return sorted[0]!;
  if (phi >= 1) return sorted[n - 1]!;
  const idx = Math.min(n - 1, Math.floor(phi * (n - 1) + 0.5));
  return sorted[idx]!;
}

