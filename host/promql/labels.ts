/**
 * Which labels an expression's result series can carry. The rewriter uses this to know whether
 * a pre-aggregated series (say, one kept `by (job, instance)`) has every label a query needs.
 *
 * The answer is either an exact set (`sum by (job)` carries at most `job`) or "anything except"
 * a set (`sum without (instance)` carries whatever its input had, minus `instance` and the metric
 * name). It follows Prometheus's evaluation rules: arithmetic drops `__name__`, comparisons
 * without `bool` keep it, one-to-one matching keeps only `on` labels or drops `ignoring` ones,
 * `group_left`/`group_right` take the "many" side's labels plus the included ones.
 */
import { COMPARISON_OPS, type Expr, SET_OPS } from './ast.js';
import { typeOf } from './checker.js';

export type LabelSet =
  | { kind: 'exact'; labels: ReadonlySet<string> }
  | { kind: 'all-except'; excluded: ReadonlySet<string> };

const NAME = '__name__';
const NONE: LabelSet = { kind: 'exact', labels: new Set() };
const ANY: LabelSet = { kind: 'all-except', excluded: new Set() };

/** Functions whose result keeps the input's metric name (the rest drop it, as in Prometheus). */
const KEEPS_NAME: ReadonlySet<string> = new Set([
  'last_over_time', 'first_over_time', 'sort', 'sort_desc', 'sort_by_label', 'sort_by_label_desc',
  'label_replace', 'label_join', 'info',
]);

/** Whether a label set can contain a label. */
export function mayCarry(set: LabelSet, label: string): boolean {
  return set.kind === 'exact' ? set.labels.has(label) : !set.excluded.has(label);
}

function without(set: LabelSet, labels: Iterable<string>): LabelSet {
  const drop = new Set(labels);
  if (set.kind === 'exact') return { kind: 'exact', labels: new Set([...set.labels].filter((l) => !drop.has(l))) };
  return { kind: 'all-except', excluded: new Set([...set.excluded, ...drop]) };
}

function only(set: LabelSet, labels: Iterable<string>): LabelSet {
  return { kind: 'exact', labels: new Set([...labels].filter((l) => mayCarry(set, l))) };
}

function plus(set: LabelSet, labels: Iterable<string>): LabelSet {
  const add = [...labels];
  if (set.kind === 'exact') return { kind: 'exact', labels: new Set([...set.labels, ...add]) };
  return { kind: 'all-except', excluded: new Set([...set.excluded].filter((l) => !add.includes(l))) };
}

function union(a: LabelSet, b: LabelSet): LabelSet {
  if (a.kind === 'exact' && b.kind === 'exact') return { kind: 'exact', labels: new Set([...a.labels, ...b.labels]) };
  const excluded = [a, b].flatMap((s) => (s.kind === 'all-except' ? [[...s.excluded]] : []));
  const exacts = [a, b].flatMap((s) => (s.kind === 'exact' ? [...s.labels] : []));
  const common = excluded.reduce((acc, ex) => acc.filter((l) => ex.includes(l)));
  return { kind: 'all-except', excluded: new Set(common.filter((l) => !exacts.includes(l))) };
}

/** The labels an expression's result series can carry. Scalars and strings carry none. */
export function resultLabels(expr: Expr): LabelSet {
  switch (expr.type) {
    case 'NumberLiteral':
    case 'StringLiteral':
      return NONE;
    case 'VectorSelector':
    case 'MatrixSelector':
      return ANY;
    case 'ParenExpr':
    case 'SubqueryExpr':
      return resultLabels(expr.expr);
    case 'UnaryExpr':
      return expr.op === '-' ? without(resultLabels(expr.expr), [NAME]) : resultLabels(expr.expr);
    case 'AggregateExpr':
      return aggregateLabels(expr);
    case 'BinaryExpr':
      return binaryLabels(expr);
    case 'Call':
      return callLabels(expr);
  }
}

function aggregateLabels(expr: Extract<Expr, { type: 'AggregateExpr' }>): LabelSet {
  const input = resultLabels(expr.expr);
  // These select series rather than combine them: each output is an input series as it was.
  if (['topk', 'bottomk', 'limitk', 'limit_ratio'].includes(expr.op)) return input;
  let out = expr.without ? without(input, [...expr.grouping, NAME]) : only(input, expr.grouping);
  if (expr.op === 'count_values' && expr.param?.type === 'StringLiteral') out = plus(out, [expr.param.value]);
  return out;
}

function binaryLabels(expr: Extract<Expr, { type: 'BinaryExpr' }>): LabelSet {
  const lt = typeOf(expr.lhs);
  const rt = typeOf(expr.rhs);
  if (lt === 'scalar' && rt === 'scalar') return NONE;
  const dropsName = !COMPARISON_OPS.has(expr.op) || expr.returnBool;
  const finish = (s: LabelSet): LabelSet => (dropsName && !SET_OPS.has(expr.op) ? without(s, [NAME]) : s);
  if (lt === 'scalar') return finish(resultLabels(expr.rhs));
  if (rt === 'scalar') return finish(resultLabels(expr.lhs));
  const lhs = resultLabels(expr.lhs);
  const rhs = resultLabels(expr.rhs);
  if (expr.op === 'or') return union(lhs, rhs);
  if (expr.op === 'and' || expr.op === 'unless') return lhs;
  const m = expr.matching;
  if (m?.card === 'many-to-one') return finish(plus(lhs, m.include));
  if (m?.card === 'one-to-many') return finish(plus(rhs, m.include));
  if (m?.on) return finish(only(lhs, m.labels));
  if (m && m.labels.length > 0) return finish(without(lhs, m.labels));
  return finish(lhs);
}

function callLabels(expr: Extract<Expr, { type: 'Call' }>): LabelSet {
  const fn = expr.func;
  if (typeOf(expr) === 'scalar' || fn === 'vector') return NONE;
  const first = expr.args[0];
  if (fn === 'absent' || fn === 'absent_over_time') return absentLabels(first);
  const input = first ? resultLabels(first) : NONE;
  if (fn === 'label_replace' || fn === 'label_join') {
    const dst = expr.args[1];
    return dst?.type === 'StringLiteral' ? plus(input, [dst.value]) : ANY;
  }
  if (fn === 'info') return ANY; // adds labels of whichever info series match
  if (fn === 'histogram_quantile' || fn === 'histogram_fraction') {
    return without(resultLabels(expr.args[expr.args.length - 1]!), ['le', NAME]);
  }
  if (fn === 'histogram_quantiles' || fn === 'round' || fn.startsWith('clamp')) return without(input, [NAME]);
  return KEEPS_NAME.has(fn) ? input : without(input, [NAME]);
}

/** absent() returns one series carrying the equality matchers of its selector. */
function absentLabels(arg: Expr | undefined): LabelSet {
  const vs = arg?.type === 'VectorSelector' ? arg : arg?.type === 'MatrixSelector' ? arg.vector : undefined;
  if (!vs) return NONE;
  return { kind: 'exact', labels: new Set(vs.matchers.filter((m) => m.op === '=' && m.name !== NAME).map((m) => m.name)) };
}
