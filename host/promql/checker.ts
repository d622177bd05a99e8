/**
 * The type checker: rejects what Prometheus rejects after parsing (its `checkAST`), with the
 * same messages and the position of the offending node. It also settles vector matching the way
 * Prometheus does: a binary operation with a scalar side carries no matching.
 */
import { COMPARISON_OPS, type Expr, type PosRange, SET_OPS, type ValueType } from './ast.js';
import { PromQLError } from './errors.js';
import { getFunction } from './functions.js';
import { selectsEverything } from './parse-selector.js';

const TYPE_NAMES: Record<ValueType, string> = {
  scalar: 'scalar', vector: 'instant vector', matrix: 'range vector', string: 'string',
};

/** Check a tree produced by `parseSyntax`; throws the first PromQLError found. */
export function check(expr: Expr, query = ''): ValueType {
  return new Checker(query).check(expr);
}

/** The value type an expression evaluates to (no checking). */
export function typeOf(expr: Expr): ValueType {
  switch (expr.type) {
    case 'NumberLiteral':
      return 'scalar';
    case 'StringLiteral':
      return 'string';
    case 'VectorSelector':
    case 'AggregateExpr':
      return 'vector';
    case 'MatrixSelector':
    case 'SubqueryExpr':
      return 'matrix';
    case 'BinaryExpr':
      return typeOf(expr.lhs) === 'scalar' && typeOf(expr.rhs) === 'scalar' ? 'scalar' : 'vector';
    case 'UnaryExpr':
    case 'ParenExpr':
      return typeOf(expr.expr);
    case 'Call':
      return getFunction(expr.func)?.returns ?? 'vector';
  }
}

class Checker {
  constructor(private readonly query: string) {}

  private fail(message: string, pos: PosRange | undefined): never {
    throw new PromQLError(message, pos ?? { start: 0, end: this.query.length }, this.query);
  }

  private expectType(expr: Expr, want: ValueType, context: string): void {
    const got = this.check(expr);
    if (got !== want) {
      this.fail(`expected type ${TYPE_NAMES[want]} in ${context}, got ${TYPE_NAMES[got]}`, expr.pos);
    }
  }

  check(expr: Expr): ValueType {
    switch (expr.type) {
      case 'NumberLiteral':
      case 'StringLiteral':
        return typeOf(expr);
      case 'VectorSelector':
      case 'MatrixSelector': {
        const vs = expr.type === 'VectorSelector' ? expr : expr.vector;
        if (selectsEverything(vs)) this.fail('vector selector must contain at least one non-empty matcher', vs.pos);
        return typeOf(expr);
      }
      case 'ParenExpr':
        return this.check(expr.expr);
      case 'UnaryExpr': {
        const t = this.check(expr.expr);
        if (t !== 'scalar' && t !== 'vector') {
          this.fail(`unary expression only allowed on expressions of type scalar or instant vector, got ${JSON.stringify(TYPE_NAMES[t])}`, expr.pos);
        }
        return t;
      }
      case 'SubqueryExpr': {
        const t = this.check(expr.expr);
        if (t !== 'vector') this.fail(`subquery is only allowed on instant vector, got ${TYPE_NAMES[t]} instead`, expr.pos);
        return 'matrix';
      }
      case 'AggregateExpr':
        this.expectType(expr.expr, 'vector', 'aggregation expression');
        if (expr.param) {
          this.expectType(expr.param, expr.op === 'count_values' ? 'string' : 'scalar', 'aggregation parameter');
        }
        return 'vector';
      case 'Call':
        return this.checkCall(expr);
      case 'BinaryExpr':
        return this.checkBinary(expr);
    }
  }

  private checkCall(expr: Extract<Expr, { type: 'Call' }>): ValueType {
    const fn = getFunction(expr.func);
    if (!fn) this.fail(`unknown function with name ${JSON.stringify(expr.func)}`, expr.pos);
    const nargs = fn.argTypes.length;
    const got = expr.args.length;
    if (fn.variadic === 0) {
      if (got !== nargs) this.fail(`expected ${nargs} argument(s) in call to ${JSON.stringify(fn.name)}, got ${got}`, expr.pos);
    } else {
      const min = nargs - 1;
      if (got < min) this.fail(`expected at least ${min} argument(s) in call to ${JSON.stringify(fn.name)}, got ${got}`, expr.pos);
      if (fn.variadic > 0 && got > min + fn.variadic) {
        this.fail(`expected at most ${min + fn.variadic} argument(s) in call to ${JSON.stringify(fn.name)}, got ${got}`, expr.pos);
      }
    }
    expr.args.forEach((arg, i) => {
      // info()'s second argument is a label filter, allowed to match everything.
      if (fn.name === 'info' && i === 1 && arg.type === 'VectorSelector') return;
      const want = fn.argTypes[Math.min(i, nargs - 1)]!;
      this.expectType(arg, want, `call to function ${JSON.stringify(fn.name)}`);
    });
    // info()'s second argument selects info series by labels only; a metric name or any other
    // expression there is refused.
    if (fn.name === 'info' && expr.args[1]) {
      const sel = expr.args[1];
      if (sel.type !== 'VectorSelector' || sel.name !== '') {
        this.fail('expected label selectors as the second argument to "info" function', sel.pos);
      }
    }
    return fn.returns;
  }

  private checkBinary(expr: Extract<Expr, { type: 'BinaryExpr' }>): ValueType {
    const lt = this.check(expr.lhs);
    const rt = this.check(expr.rhs);
    const isComparison = COMPARISON_OPS.has(expr.op);
    const isSet = SET_OPS.has(expr.op);
    const m = expr.matching;
    if (expr.returnBool && !isComparison) this.fail('bool modifier can only be used on comparison operators', expr.pos);
    if (isComparison && !expr.returnBool && lt === 'scalar' && rt === 'scalar') {
      this.fail('comparisons between scalars must use BOOL modifier', expr.pos);
    }
    if (m && m.on) {
      const both = m.labels.find((l) => m.include.includes(l));
      if (both !== undefined) this.fail(`label ${JSON.stringify(both)} must not occur in ON and GROUP clause at once`, expr.pos);
    }
    if (lt !== 'scalar' && lt !== 'vector') this.fail('binary expression must contain only scalar and instant vector types', expr.lhs.pos);
    if (rt !== 'scalar' && rt !== 'vector') this.fail('binary expression must contain only scalar and instant vector types', expr.rhs.pos);
    if (lt !== 'vector' || rt !== 'vector') {
      if (m && m.labels.length > 0) this.fail('vector matching only allowed between instant vectors', expr.pos);
      if (isSet) this.fail(`set operator ${JSON.stringify(expr.op)} not allowed in binary scalar expression`, expr.pos);
      delete expr.matching;
    } else if (isSet && m && (m.card === 'one-to-many' || m.card === 'many-to-one')) {
      this.fail(`no grouping allowed for ${JSON.stringify(expr.op)} operation`, expr.pos);
    }
    return lt === 'scalar' && rt === 'scalar' ? 'scalar' : 'vector';
  }
}
