/**
 * PromQL's functions with their argument and return types, as of Prometheus 3.x (including the
 * functions Prometheus marks experimental, since the test corpus enables them).
 */
import type { ValueType } from './ast.js';

export interface FunctionSignature {
  name: string;
  argTypes: ValueType[];
  /**
   * 0: exactly `argTypes`. n > 0: the last argument is optional and may be given up to n times.
   * -1: the last argument may repeat without limit. (Prometheus's `Variadic`.)
   */
  variadic: number;
  returns: ValueType;
  /** Behind Prometheus's `--enable-feature=promql-experimental-functions`. */
  experimental?: boolean;
}

const V: ValueType = 'vector';
const M: ValueType = 'matrix';
const S: ValueType = 'scalar';
const STR: ValueType = 'string';

const table: FunctionSignature[] = [];
function def(names: string[], argTypes: ValueType[], returns: ValueType, variadic = 0, experimental = false): void {
  for (const name of names) table.push({ name, argTypes, variadic, returns, ...(experimental ? { experimental } : {}) });
}

def(
  [
    'abs', 'absent', 'acos', 'acosh', 'asin', 'asinh', 'atan', 'atanh', 'ceil', 'cos', 'cosh', 'deg', 'exp',
    'floor', 'histogram_avg', 'histogram_count', 'histogram_stddev', 'histogram_stdvar', 'histogram_sum',
    'ln', 'log10', 'log2', 'rad', 'sgn', 'sin', 'sinh', 'sort', 'sort_desc', 'sqrt', 'tan', 'tanh', 'timestamp',
  ],
  [V],
  V,
);
def(
  [
    'absent_over_time', 'avg_over_time', 'changes', 'count_over_time', 'delta', 'deriv', 'idelta',
    'increase', 'irate', 'last_over_time', 'max_over_time', 'min_over_time', 'present_over_time', 'rate',
    'resets', 'stddev_over_time', 'stdvar_over_time', 'sum_over_time',
  ],
  [M],
  V,
);
def(
  ['first_over_time', 'mad_over_time', 'ts_of_first_over_time', 'ts_of_last_over_time', 'ts_of_max_over_time', 'ts_of_min_over_time'],
  [M],
  V,
  0,
  true,
);
def(['day_of_month', 'day_of_week', 'day_of_year', 'days_in_month', 'hour', 'minute', 'month', 'year'], [V], V, 1);
def(['clamp'], [V, S, S], V);
def(['clamp_max', 'clamp_min'], [V, S], V);
def(['double_exponential_smoothing'], [M, S, S], V, 0, true);
def(['histogram_fraction'], [S, S, V], V);
def(['histogram_quantile'], [S, V], V);
def(['histogram_quantiles'], [V, STR, S], V, -1, true);
def(['info'], [V, V], V, 1, true);
def(['label_join'], [V, STR, STR, STR], V, -1);
def(['label_replace'], [V, STR, STR, STR, STR], V);
def(['pi', 'time'], [], S);
def(['predict_linear'], [M, S], V);
def(['quantile_over_time'], [S, M], V);
def(['round'], [V, S], V, 1);
def(['scalar'], [V], S);
def(['vector'], [S], V);
def(['sort_by_label', 'sort_by_label_desc'], [V, STR], V, -1, true);
def(['start_timestamp'], [V], V, 0, true);
// The query's own time parameters, usable as scalars and inside duration expressions.
def(['start', 'end', 'step', 'range'], [], S, 0, true);
def(['min_of', 'max_of'], [S, S], S, 0, true);

export const FUNCTIONS: ReadonlyMap<string, FunctionSignature> = new Map(table.map((f) => [f.name, f]));

export function getFunction(name: string): FunctionSignature | undefined {
  return FUNCTIONS.get(name);
}
