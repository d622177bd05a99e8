/**
 * The typed PromQL syntax tree.
 *
 * Shapes follow Prometheus's own node kinds so that a reader who knows `promql/parser` finds the
 * same things here. Every node carries `pos` (UTF-16 offsets into the source); positions are for
 * error messages only and are ignored by structural equality.
 */

/** Half-open range `[start, end)` of offsets into the query text. */
export interface PosRange {
  start: number;
  end: number;
}

/** The four value types of PromQL, named as Prometheus names them in its messages. */
export type ValueType = 'scalar' | 'vector' | 'matrix' | 'string';

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  name: string;
  op: MatchOp;
  value: string;
}

/**
 * A duration in a range, subquery step or offset. Plain literals (`5m`, `300`, `(5m)`, `-5m`) fold
 * to `Duration`, as Prometheus folds them to a `time.Duration`; anything else (`step()`,
 * `1h + 5m`, `min_of(...)`) stays an expression and is evaluated per query.
 */
export type DurationExpr =
  | DurationLiteral
  | { type: 'DurationStep' }
  | { type: 'DurationRange' }
  | { type: 'DurationUnary'; op: '+' | '-'; expr: DurationExpr }
  | { type: 'DurationBinary'; op: DurationBinaryOp; lhs: DurationExpr; rhs: DurationExpr }
  | { type: 'DurationCall'; fn: 'min_of' | 'max_of'; lhs: DurationExpr; rhs: DurationExpr }
  | { type: 'DurationParen'; expr: DurationExpr };

export type DurationBinaryOp = '+' | '-' | '*' | '/' | '%' | '^';

/**
 * `seconds` is the literal's value in seconds (a duration `5m` is 300). `unit` records whether it
 * was written with a unit, which decides how it prints inside a duration expression; at the top
 * of a range or offset it always prints as a duration, like Prometheus.
 */
export interface DurationLiteral {
  type: 'Duration';
  seconds: number;
  unit: boolean;
}

/** `@ <timestamp>` (milliseconds, as Prometheus stores it) or `@ start()` / `@ end()`. */
export type AtModifier = { type: 'timestamp'; ms: number } | { type: 'start' } | { type: 'end' };

export interface NumberLiteral {
  type: 'NumberLiteral';
  value: number;
  /** Written as a duration (`5m`): prints back as one. */
  duration?: boolean;
  pos?: PosRange;
}

export interface StringLiteral {
  type: 'StringLiteral';
  /** Unquoted value; bytes that are not valid UTF-8 are kept as U+DC80..U+DCFF (see strings.ts). */
  value: string;
  pos?: PosRange;
}

export interface VectorSelector {
  type: 'VectorSelector';
  /** The metric name written before the braces, or '' when there is none. */
  name: string;
  /** Matchers as written, not including the name (an explicit `__name__` matcher is included). */
  matchers: Matcher[];
  offset?: DurationExpr;
  at?: AtModifier;
  anchored?: boolean;
  smoothed?: boolean;
  pos?: PosRange;
}

export interface MatrixSelector {
  type: 'MatrixSelector';
  /** Offset, @, anchored and smoothed live on this inner selector, as in Prometheus. */
  vector: VectorSelector;
  range: DurationExpr;
  pos?: PosRange;
}

export interface SubqueryExpr {
  type: 'SubqueryExpr';
  expr: Expr;
  range: DurationExpr;
  step?: DurationExpr;
  offset?: DurationExpr;
  at?: AtModifier;
  pos?: PosRange;
}

export const AGGREGATORS = [
  'sum', 'avg', 'count', 'min', 'max', 'group', 'stddev', 'stdvar',
  'topk', 'bottomk', 'count_values', 'quantile', 'limitk', 'limit_ratio',
] as const;
export type AggregateOp = (typeof AGGREGATORS)[number];

export interface AggregateExpr {
  type: 'AggregateExpr';
  op: AggregateOp;
  expr: Expr;
  /** The first argument of topk, bottomk, quantile, count_values, limitk and limit_ratio. */
  param?: Expr;
  grouping: string[];
  without: boolean;
  pos?: PosRange;
}

export type ArithmeticOp = '+' | '-' | '*' | '/' | '%' | '^' | 'atan2';
export type ComparisonOp = '==' | '!=' | '>' | '<' | '>=' | '<=';
export type SetOp = 'and' | 'or' | 'unless';
/** Native-histogram trim operators of Prometheus 3 (`</` keeps buckets below, `>/` above). */
export type TrimOp = '</' | '>/';
export type BinaryOp = ArithmeticOp | ComparisonOp | SetOp | TrimOp;

export type Cardinality = 'one-to-one' | 'many-to-one' | 'one-to-many' | 'many-to-many';

export interface VectorMatching {
  card: Cardinality;
  /** true for `on(...)`, false for `ignoring(...)` or no clause. */
  on: boolean;
  labels: string[];
  /** Labels of `group_left(...)` / `group_right(...)`. */
  include: string[];
  /** Prometheus 3 `fill(v)`, `fill_left(v)`, `fill_right(v)`: values for unmatched sides. */
  fillLeft?: number;
  fillRight?: number;
}

export interface BinaryExpr {
  type: 'BinaryExpr';
  op: BinaryOp;
  lhs: Expr;
  rhs: Expr;
  returnBool: boolean;
  /** Present only when both sides are instant vectors (the checker drops it otherwise). */
  matching?: VectorMatching;
  pos?: PosRange;
}

export interface UnaryExpr {
  type: 'UnaryExpr';
  op: '+' | '-';
  expr: Expr;
  pos?: PosRange;
}

export interface ParenExpr {
  type: 'ParenExpr';
  expr: Expr;
  pos?: PosRange;
}

export interface Call {
  type: 'Call';
  func: string;
  args: Expr[];
  pos?: PosRange;
}

export type Expr =
  | NumberLiteral
  | StringLiteral
  | VectorSelector
  | MatrixSelector
  | SubqueryExpr
  | AggregateExpr
  | BinaryExpr
  | UnaryExpr
  | ParenExpr
  | Call;

export const COMPARISON_OPS: ReadonlySet<string> = new Set(['==', '!=', '>', '<', '>=', '<=']);
export const SET_OPS: ReadonlySet<string> = new Set(['and', 'or', 'unless']);
export const PARAM_AGGREGATORS: ReadonlySet<string> = new Set([
  'topk', 'bottomk', 'count_values', 'quantile', 'limitk', 'limit_ratio',
]);
