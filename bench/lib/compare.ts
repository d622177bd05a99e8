import type { BenchResult } from './result.js';
import { formatValue, renderColumns } from './table.js';

/** How one figure moved between two reports. */
export interface FigureChange {
  name: string;
  metric: string;
  unit: string;
  before?: number;
  after?: number;
  /** (after - before) / before; undefined when either side is missing or before is 0. */
  change?: number;
  /** `better`/`worse` once the change exceeds the noise threshold, else `same`; `new`/`gone` when one side lacks it. */
  verdict: 'better' | 'worse' | 'same' | 'new' | 'gone';
}

/** Units whose figures are better when smaller; everything else (rates, ratios) is better larger. */
const LOWER_IS_BETTER = /^(ns|µs|us|ms|s)(\/.*)?$|^bytes|^ns\/op$|seconds|^cpu/;

/** Whether a larger value of this figure is an improvement. */
export function higherIsBetter(r: Pick<BenchResult, 'unit' | 'better'>): boolean {
  if (r.better !== undefined) return r.better === 'higher';
  return !LOWER_IS_BETTER.test(r.unit);
}

/**
 * Pairs the figures of two runs by benchmark and metric and classifies each change. Changes
 * smaller than `threshold` (default 5%) are called `same`: these machines are shared and noisy,
 * and a pull request should not be praised or blamed for noise. When only some benchmarks ran,
 * `scope` (their file ids) keeps the old figures of the others from being listed as gone.
 */
export function compareResults(before: readonly BenchResult[], after: readonly BenchResult[], threshold = 0.05, scope?: readonly string[]): FigureChange[] {
  const key = (r: BenchResult) => `${r.name}\u0000${r.metric}`;
  const old = new Map(before.map((r) => [key(r), r]));
  const changes: FigureChange[] = [];
  for (const a of after) {
    const b = old.get(key(a));
    old.delete(key(a));
    if (b === undefined) {
      changes.push({ name: a.name, metric: a.metric, unit: a.unit, after: a.value, verdict: 'new' });
      continue;
    }
    const change = b.value !== 0 && Number.isFinite(b.value) && Number.isFinite(a.value) ? (a.value - b.value) / Math.abs(b.value) : undefined;
    let verdict: FigureChange['verdict'] = 'same';
    if (change !== undefined && Math.abs(change) >= threshold) {
      verdict = change > 0 === higherIsBetter(a) ? 'better' : 'worse';
    }
    changes.push({ name: a.name, metric: a.metric, unit: a.unit, before: b.value, after: a.value, change, verdict });
  }
  for (const b of old.values()) {
    if (scope !== undefined && !scope.some((id) => b.name.startsWith(id))) continue;
    changes.push({ name: b.name, metric: b.metric, unit: b.unit, before: b.value, verdict: 'gone' });
  }
  return changes;
}

/** Renders changes as a table with a signed percentage, e.g. `+12.3%  better`. */
export function formatComparison(changes: readonly FigureChange[]): string {
  const header = ['benchmark', 'metric', 'before', 'after', 'change', 'verdict'];
  const rows = changes.map((c) => [
    c.name,
    c.metric,
    c.before === undefined ? '' : formatValue(c.before, c.unit),
    c.after === undefined ? '' : formatValue(c.after, c.unit),
    c.change === undefined ? '' : `${c.change >= 0 ? '+' : ''}${(c.change * 100).toFixed(1)}%`,
    c.verdict,
  ]);
  const worse = changes.filter((c) => c.verdict === 'worse').length;
  const better = changes.filter((c) => c.verdict === 'better').length;
  return `${renderColumns(header, rows, new Set([2, 3, 4]))}\n${better} better, ${worse} worse, ${changes.length - better - worse} unchanged, new or gone`;
}
