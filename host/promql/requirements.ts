/**
 * How much data each part of a query reads: for every selector, the time window before the
 * evaluation time it needs, shifted by offsets and pinned by `@`, and the resolution of the
 * subqueries around it. The proxy uses this to pick a backend whose retention and resolution
 * cover a sub-tree; the engine uses it to know which samples to load.
 */
import type { AtModifier, DurationExpr, Expr, VectorSelector } from './ast.js';
import { secondsToMs } from './numbers.js';
import { children } from './walk.js';

export interface RequirementOptions {
  /** How far an instant selector looks back for a sample; Prometheus's default is 5m. */
  lookbackDeltaMs?: number;
  /** The query's step and range, for `step()` and `range()` in duration expressions. */
  stepMs?: number;
  rangeMs?: number;
}

export interface SelectorRequirement {
  selector: VectorSelector;
  /**
   * Data is read from `(t - offsetMs - windowMs, t - offsetMs]` for each evaluation time `t`
   * of this selector (or of the `@` time instead, when `at` is set). Undefined when a duration
   * expression needs a step or range that was not given.
   */
  windowMs: number | undefined;
  offsetMs: number | undefined;
  /** The innermost `@` that pins this selector's evaluation time, if any. */
  at?: AtModifier;
  /** Steps of the enclosing subqueries, innermost first (their resolution bounds the data needed). */
  subquerySteps: Array<number | undefined>;
}

export interface Requirements {
  selectors: SelectorRequirement[];
  /** Data needed before the first evaluation time (largest window + offset). */
  lookbackMs: number | undefined;
  /** Data needed after the last evaluation time, from negative offsets. */
  lookaheadMs: number | undefined;
  /** Whether any part of the query is pinned to a fixed time by `@`. */
  pinned: boolean;
}

/** Evaluate a duration expression to milliseconds; undefined if it needs an unknown step/range. */
export function durationMs(d: DurationExpr, opts: RequirementOptions = {}): number | undefined {
  const sec = durationSeconds(d, opts);
  return sec === undefined ? undefined : secondsToMs(sec);
}

function durationSeconds(d: DurationExpr, opts: RequirementOptions): number | undefined {
  const two = (a: DurationExpr, b: DurationExpr, f: (x: number, y: number) => number): number | undefined => {
    const x = durationSeconds(a, opts);
    const y = durationSeconds(b, opts);
    return x === undefined || y === undefined ? undefined : f(x, y);
  };
  switch (d.type) {
    case 'Duration':
      return d.seconds;
    case 'DurationStep':
      return opts.stepMs === undefined ? undefined : opts.stepMs / 1000;
    case 'DurationRange':
      return opts.rangeMs === undefined ? undefined : opts.rangeMs / 1000;
    case 'DurationParen':
      return durationSeconds(d.expr, opts);
    case 'DurationUnary': {
      const v = durationSeconds(d.expr, opts);
      return v === undefined ? undefined : d.op === '-' ? -v : v;
    }
    case 'DurationCall':
      return two(d.lhs, d.rhs, d.fn === 'min_of' ? Math.min : Math.max);
    case 'DurationBinary':
      return two(d.lhs, d.rhs, BINARY[d.op]);
  }
}

const BINARY: Record<string, (x: number, y: number) => number> = {
  '+': (x, y) => x + y, '-': (x, y) => x - y, '*': (x, y) => x * y,
  '/': (x, y) => x / y, '%': (x, y) => x % y, '^': (x, y) => x ** y,
};

const add = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined || b === undefined ? undefined : a + b;

/** The data each selector of a query reads, and the query's total lookback and lookahead. */
export function requirements(expr: Expr, opts: RequirementOptions = {}): Requirements {
  const lookback = opts.lookbackDeltaMs ?? 300_000;
  const out: SelectorRequirement[] = [];
  const optMs = (d: DurationExpr | undefined): number | undefined => (d ? durationMs(d, opts) : 0);

  // `extraWindow` and `extraOffset` accumulate what enclosing subqueries add.
  const visit = (node: Expr, extraWindow: number | undefined, extraOffset: number | undefined,
    at: AtModifier | undefined, steps: Array<number | undefined>): void => {
    if (node.type === 'VectorSelector' || node.type === 'MatrixSelector') {
      const vs = node.type === 'VectorSelector' ? node : node.vector;
      const own = node.type === 'VectorSelector' ? lookback : durationMs(node.range, opts);
      out.push({
        selector: vs,
        windowMs: add(own, extraWindow),
        offsetMs: add(optMs(vs.offset), extraOffset),
        ...(vs.at ?? at ? { at: vs.at ?? at } : {}),
        subquerySteps: steps,
      });
      return;
    }
    if (node.type === 'SubqueryExpr') {
      // A subquery evaluates its inner expression over [t - offset - range, t - offset].
      visit(node.expr, add(extraWindow, durationMs(node.range, opts)), add(extraOffset, optMs(node.offset)),
        node.at ?? at, [node.step ? durationMs(node.step, opts) : opts.stepMs, ...steps]);
      return;
    }
    for (const child of children(node)) visit(child, extraWindow, extraOffset, at, steps);
  };
  visit(expr, 0, 0, undefined, []);

  let lookbackMs: number | undefined = 0;
  let lookaheadMs: number | undefined = 0;
  for (const r of out) {
    const back = add(r.windowMs, r.offsetMs);
    lookbackMs = back === undefined || lookbackMs === undefined ? undefined : Math.max(lookbackMs, back);
    lookaheadMs = r.offsetMs === undefined || lookaheadMs === undefined ? undefined : Math.max(lookaheadMs, -r.offsetMs);
  }
  return { selectors: out, lookbackMs, lookaheadMs, pinned: out.some((r) => r.at !== undefined) };
}
