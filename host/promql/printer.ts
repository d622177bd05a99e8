/**
 * Syntax tree to PromQL text on one line, in Prometheus's canonical form (the `String()` of its
 * nodes): `sum by (job) (rate(x[5m]))`, `a + on (b) group_left () c`, durations as `1h30m`,
 * numbers as Go prints floats, strings double-quoted, matchers sorted, `@` with three decimals.
 * `pretty.ts` builds the multi-line form that `/api/v1/format_query` returns on top of this.
 */
import type {
  AggregateExpr, AtModifier, BinaryExpr, DurationExpr, Expr, Matcher, VectorMatching, VectorSelector,
} from './ast.js';
import { formatAtTimestamp, formatDurationMs, formatNumber, secondsToMs } from './numbers.js';
import { compareCodePoints, isLegacyMetricName, labelName, quote } from './strings.js';

export interface PrintOptions {
  /**
   * Keep label matchers in the order written instead of sorting them. Prometheus 2.42 sorts (and
   * so does the canonical form); the order never changes a selector's meaning.
   */
  keepMatcherOrder?: boolean;
}

/** Print an expression on one line in canonical form. */
export function print(expr: Expr, opts: PrintOptions = {}): string {
  switch (expr.type) {
    case 'NumberLiteral':
      return expr.duration ? formatDurationMs(secondsToMs(expr.value)) : formatNumber(expr.value);
    case 'StringLiteral':
      return quote(expr.value);
    case 'VectorSelector':
      return printSelector(expr, '', opts);
    case 'MatrixSelector':
      return printSelector(expr.vector, `[${printDuration(expr.range)}]`, opts);
    case 'SubqueryExpr':
      return print(expr.expr, opts) + subquerySuffix(expr);
    case 'AggregateExpr': {
      const param = expr.param ? `${print(expr.param, opts)}, ` : '';
      return `${aggregateHead(expr)}(${param}${print(expr.expr, opts)})`;
    }
    case 'BinaryExpr':
      return `${print(expr.lhs, opts)} ${binaryOperator(expr)} ${print(expr.rhs, opts)}`;
    case 'UnaryExpr':
      return expr.op + print(expr.expr, opts);
    case 'ParenExpr':
      return `(${print(expr.expr, opts)})`;
    case 'Call':
      return `${expr.func}(${expr.args.map((a) => print(a, opts)).join(', ')})`;
  }
}

/** `[range:step] @ t offset d`, the part of a subquery after its inner expression. */
export function subquerySuffix(expr: Extract<Expr, { type: 'SubqueryExpr' }>): string {
  const step = expr.step ? printDuration(expr.step) : '';
  return `[${printDuration(expr.range)}:${step}]${atAndOffset(expr.at, expr.offset)}`;
}

/** `sum by (job) ` / `sum without (a) ` / `sum`: the part of an aggregation before `(`. */
export function aggregateHead(expr: AggregateExpr): string {
  const labels = expr.grouping.map(labelName).join(', ');
  if (expr.without) return `${expr.op} without (${labels}) `;
  if (expr.grouping.length > 0) return `${expr.op} by (${labels}) `;
  return expr.op;
}

/** The operator with `bool`, matching and fill modifiers: `/ on (a) group_left (b)`. */
export function binaryOperator(expr: BinaryExpr): string {
  return expr.op + (expr.returnBool ? ' bool' : '') + matchingText(expr.matching);
}

function matchingText(m: VectorMatching | undefined): string {
  if (!m) return '';
  let out = '';
  const grouped = m.card === 'many-to-one' || m.card === 'one-to-many';
  // Prometheus 2.42 omits an empty `ignoring ()` together with its group modifier, which changes
  // the query's meaning; the clause is kept whenever a group modifier needs it.
  if (m.on || m.labels.length > 0 || grouped) {
    out += ` ${m.on ? 'on' : 'ignoring'} (${m.labels.map(labelName).join(', ')})`;
    if (grouped) {
      out += ` ${m.card === 'many-to-one' ? 'group_left' : 'group_right'} (${m.include.map(labelName).join(', ')})`;
    }
  }
  if (m.fillLeft !== undefined && m.fillRight !== undefined && Object.is(m.fillLeft, m.fillRight)) {
    out += ` fill(${formatNumber(m.fillLeft)})`;
  } else {
    if (m.fillLeft !== undefined) out += ` fill_left(${formatNumber(m.fillLeft)})`;
    if (m.fillRight !== undefined) out += ` fill_right(${formatNumber(m.fillRight)})`;
  }
  return out;
}

function printSelector(vs: VectorSelector, range: string, opts: PrintOptions): string {
  const parts = vs.matchers.map(matcherText);
  if (!opts.keepMatcherOrder) parts.sort(compareCodePoints);
  let name = vs.name;
  // A name that is not a legacy metric name (Prometheus 3 UTF-8 names) goes inside the braces.
  if (name !== '' && !isLegacyMetricName(name)) {
    parts.unshift(quote(name));
    name = '';
  }
  const braces = parts.length > 0 ? `{${parts.join(',')}}` : '';
  const modifier = vs.anchored ? ' anchored' : vs.smoothed ? ' smoothed' : '';
  return `${name}${braces}${range}${modifier}${atAndOffset(vs.at, vs.offset)}`;
}

function matcherText(m: Matcher): string {
  return `${labelName(m.name)}${m.op}${quote(m.value)}`;
}

function atAndOffset(at: AtModifier | undefined, offset: DurationExpr | undefined): string {
  let out = '';
  if (at) out += at.type === 'timestamp' ? ` @ ${formatAtTimestamp(at.ms)}` : ` @ ${at.type}()`;
  if (offset) out += ` offset ${printDuration(offset)}`;
  return out;
}

/** Print a duration or duration expression; literals written with a unit print as durations. */
export function printDuration(d: DurationExpr): string {
  switch (d.type) {
    case 'Duration':
      return d.unit ? formatDurationMs(secondsToMs(d.seconds)) : formatNumber(d.seconds);
    case 'DurationStep':
      return 'step()';
    case 'DurationRange':
      return 'range()';
    case 'DurationUnary':
      return d.op + printDuration(d.expr);
    case 'DurationBinary':
      return `${printDuration(d.lhs)} ${d.op} ${printDuration(d.rhs)}`;
    case 'DurationCall':
      return `${d.fn}(${printDuration(d.lhs)}, ${printDuration(d.rhs)})`;
    case 'DurationParen':
      return `(${printDuration(d.expr)})`;
  }
}
