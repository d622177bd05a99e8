/**
 * The multi-line canonical form, as Prometheus's `Pretty()` produces it for
 * `/api/v1/format_query` and `promtool promql format`: a node whose one-line form fits in 100
 * bytes stays on one line; a longer one is split, its children indented by two spaces.
 */
import type { Expr } from './ast.js';
import { aggregateHead, binaryOperator, print, subquerySuffix } from './printer.js';

/** Prometheus measures lines in bytes (Go's `len`), not characters. */
const MAX_LINE_BYTES = 100;

/** Format an expression the way Prometheus's format_query does. */
export function pretty(expr: Expr): string {
  return prettyAt(expr, 0);
}

function indent(level: number): string {
  return '  '.repeat(level);
}

function fits(expr: Expr): boolean {
  return Buffer.byteLength(print(expr), 'utf8') <= MAX_LINE_BYTES;
}

function prettyAt(expr: Expr, level: number): string {
  const pad = indent(level);
  switch (expr.type) {
    case 'AggregateExpr': {
      if (fits(expr)) return pad + print(expr);
      const param = expr.param ? `${prettyAt(expr.param, level + 1)},\n` : '';
      return `${pad}${aggregateHead(expr)}(\n${param}${prettyAt(expr.expr, level + 1)}\n${pad})`;
    }
    case 'BinaryExpr':
      if (fits(expr)) return pad + print(expr);
      return `${prettyAt(expr.lhs, level + 1)}\n${pad}${binaryOperator(expr)}\n${prettyAt(expr.rhs, level + 1)}`;
    case 'Call':
      if (fits(expr)) return pad + print(expr);
      return `${pad}${expr.func}(\n${expr.args.map((a) => prettyAt(a, level + 1)).join(',\n')}\n${pad})`;
    case 'ParenExpr':
      if (fits(expr)) return pad + print(expr);
      return `${pad}(\n${prettyAt(expr.expr, level + 1)}\n${pad})`;
    case 'SubqueryExpr':
      // Prometheus does not indent a subquery that fits; one that does not keeps its suffix inline.
      if (fits(expr)) return print(expr);
      return prettyAt(expr.expr, level) + subquerySuffix(expr);
    case 'UnaryExpr':
      return pad + expr.op + prettyAt(expr.expr, level).trim();
    default:
      return pad + print(expr);
  }
}
