import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AggregateOp, type BinaryOp, type DurationExpr, type Expr, type VectorMatching, type VectorSelector,
  exprEqual, parse, pretty, print,
} from '../../host/promql/index.js';

// Random type-correct trees. A tree is what the parser could produce only if operands that bind
// looser than their operator sit in parentheses, so `parenthesize` adds ParenExpr exactly there.

const PREC: Record<string, number> = {
  or: 1, and: 2, unless: 2, '==': 3, '!=': 3, '<': 3, '>': 3, '<=': 3, '>=': 3,
  '+': 4, '-': 4, '*': 5, '/': 5, '%': 5, atan2: 5, '^': 6,
};

const label = fc.constantFrom('job', 'instance', 'le', 'a_b', 'on', 'by', 'ütf 8');
const metric = fc.constantFrom('up', 'http_requests_total', 'job:rate:5m', 'sum', 'offset', 'start');
const value = fc.string({ maxLength: 6, unit: fc.constantFrom('a', 'Z', ' ', '"', '\\', '\n', 'é', '☺', '\u0001', '𝄞') });
const ms = fc.integer({ min: 1, max: 400 * 24 * 3600 }).map((s) => s * 1000 + (s % 7 === 0 ? 250 : 0));
const durationLit = ms.map((m): DurationExpr => ({ type: 'Duration', seconds: m / 1000, unit: true }));
const offset = fc.oneof(
  durationLit,
  ms.map((m): DurationExpr => ({ type: 'Duration', seconds: -m / 1000, unit: true })),
  fc.constant<DurationExpr>({ type: 'DurationStep' }),
  fc.constant<DurationExpr>({ type: 'DurationUnary', op: '-', expr: { type: 'DurationRange' } }),
);
const rangeExpr = fc.oneof(
  { weight: 4, arbitrary: durationLit },
  {
    weight: 1,
    arbitrary: fc.tuple(durationLit, fc.constantFrom<'+' | '*'>('+', '*')).map(
      ([l, op]): DurationExpr => ({ type: 'DurationBinary', op, lhs: { type: 'DurationStep' }, rhs: l }),
    ),
  },
);
const at = fc.oneof(
  fc.integer({ min: -1e12, max: 1e12 }).map((v) => ({ type: 'timestamp' as const, ms: v })),
  fc.constantFrom({ type: 'start' as const }, { type: 'end' as const }),
);

const selector: fc.Arbitrary<VectorSelector> = fc
  .record({
    name: metric,
    matchers: fc.array(fc.record({ name: label, op: fc.constantFrom('=', '!=', '=~', '!~'), value }), { maxLength: 3 }),
    offset: fc.option(offset, { nil: undefined }),
    at: fc.option(at, { nil: undefined }),
  })
  .map((r) => {
    const vs: VectorSelector = { type: 'VectorSelector', name: r.name, matchers: r.matchers.map((m) => ({ ...m, op: m.op as '=' })) };
    // Regex values must compile; keep them to a plain literal form.
    vs.matchers = vs.matchers.map((m) => (m.op === '=~' || m.op === '!~' ? { ...m, value: m.value.replace(/[\\"\n\u0001]/g, '') .replace(/[^a-zA-Z ]/g, 'x') } : m));
    if (r.offset) vs.offset = r.offset;
    if (r.at) vs.at = r.at;
    return vs;
  });

const num = fc.oneof(fc.double(), fc.integer({ min: -1000, max: 1000 }).map((x) => x / 4));

const { scalar, vector } = fc.letrec<{ scalar: Expr; vector: Expr }>((tie) => ({
  scalar: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    num.map((v): Expr => ({ type: 'NumberLiteral', value: v })),
    tie('vector').map((v): Expr => ({ type: 'Call', func: 'scalar', args: [v] })),
    fc.tuple(tie('scalar'), fc.constantFrom('+', '-', '*', '/', '%', '^', 'atan2'), tie('scalar')).map(
      ([lhs, op, rhs]): Expr => ({ type: 'BinaryExpr', op: op as BinaryOp, lhs, rhs, returnBool: false }),
    ),
    tie('scalar').map((e): Expr => ({ type: 'ParenExpr', expr: e })),
  ),
  vector: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    selector,
    fc.tuple(selector, rangeExpr, fc.constantFrom('rate', 'increase', 'max_over_time')).map(
      ([vs, range, func]): Expr => ({ type: 'Call', func, args: [{ type: 'MatrixSelector', vector: vs, range }] }),
    ),
    fc.tuple(tie('vector'), durationLit, fc.option(durationLit, { nil: undefined })).map(
      ([e, range, step]): Expr => ({
        type: 'Call', func: 'max_over_time', args: [{ type: 'SubqueryExpr', expr: e, range, ...(step ? { step } : {}) }],
      }),
    ),
    fc.record({
      op: fc.constantFrom<AggregateOp>('sum', 'avg', 'topk', 'count_values', 'quantile'),
      expr: tie('vector'),
      grouping: fc.uniqueArray(label, { maxLength: 3 }),
      without: fc.boolean(),
      p: tie('scalar'),
    }).map(({ op, expr, grouping, without, p }): Expr => ({
      type: 'AggregateExpr', op, expr, grouping, without: without && grouping.length > 0 ? true : without,
      ...(op === 'topk' || op === 'quantile' ? { param: p } : op === 'count_values' ? { param: { type: 'StringLiteral', value: 'v' } } : {}),
    })),
    fc.record({
      lhs: tie('vector'), rhs: tie('vector'), op: fc.constantFrom('+', '/', '==', '>', 'and', 'or', 'unless', '^'),
      bool: fc.boolean(), on: fc.boolean(), labels: fc.uniqueArray(label, { maxLength: 2 }),
      group: fc.constantFrom('none', 'left', 'right'), include: fc.uniqueArray(fc.constantFrom('version', 'team'), { maxLength: 2 }),
    }).map((r): Expr => {
      const isSet = ['and', 'or', 'unless'].includes(r.op);
      const grouped = !isSet && r.group !== 'none';
      const matching: VectorMatching = {
        card: isSet ? 'many-to-many' : grouped ? (r.group === 'left' ? 'many-to-one' : 'one-to-many') : 'one-to-one',
        on: r.on || (grouped && r.labels.length === 0 ? false : r.on),
        labels: r.labels,
        include: grouped ? r.include : [],
      };
      return { type: 'BinaryExpr', op: r.op as BinaryOp, lhs: r.lhs, rhs: r.rhs, returnBool: r.bool && ['==', '>'].includes(r.op), matching };
    }),
    fc.tuple(tie('vector'), fc.constantFrom('*', '-', '<'), tie('scalar'), fc.boolean()).map(
      ([v, op, s, flip]): Expr => ({
        type: 'BinaryExpr', op: op as BinaryOp, lhs: flip ? s : v, rhs: flip ? v : s, returnBool: op === '<',
      }),
    ),
    tie('vector').map((e): Expr => ({ type: 'UnaryExpr', op: '-', expr: e })),
    tie('vector').map((e): Expr => ({ type: 'ParenExpr', expr: e })),
  ),
}));

/** Wrap operands in parentheses where the parser would otherwise group differently. */
function parenthesize(e: Expr): Expr {
  const wrap = (x: Expr): Expr => ({ type: 'ParenExpr', expr: x });
  const bindsAtLeast = (x: Expr, prec: number): boolean =>
    x.type === 'BinaryExpr' ? PREC[x.op]! >= prec
      : x.type === 'UnaryExpr' ? prec <= 5
        // Negative numbers and both infinities print with a sign (Prometheus writes `+Inf`), which a
        // tighter operator (`^`) would take for a unary operator.
        : x.type === 'NumberLiteral' ? !(x.value < 0 || Object.is(x.value, -0) || x.value === -Infinity || x.value === Infinity) || prec <= 5
          : true;
  switch (e.type) {
    case 'BinaryExpr': {
      const p = PREC[e.op]!;
      let lhs = parenthesize(e.lhs);
      let rhs = parenthesize(e.rhs);
      if (!bindsAtLeast(lhs, e.op === '^' ? p + 1 : p)) lhs = wrap(lhs);
      if (!bindsAtLeast(rhs, e.op === '^' ? p : p + 1) && !(rhs.type === 'NumberLiteral' || rhs.type === 'UnaryExpr')) rhs = wrap(rhs);
      return { ...e, lhs, rhs };
    }
    case 'UnaryExpr': {
      const inner = parenthesize(e.expr);
      // A sign directly on a number would fold into it; on a looser operation it would bind tighter.
      const ok = inner.type !== 'NumberLiteral' && inner.type !== 'UnaryExpr' && bindsAtLeast(inner, 6);
      return { ...e, expr: ok ? inner : wrap(inner) };
    }
    case 'ParenExpr':
      return { ...e, expr: parenthesize(e.expr) };
    case 'AggregateExpr':
      return { ...e, expr: parenthesize(e.expr), ...(e.param ? { param: parenthesize(e.param) } : {}) };
    case 'Call':
      return { ...e, args: e.args.map(parenthesize) };
    case 'SubqueryExpr': {
      const inner = parenthesize(e.expr);
      const atomic = ['VectorSelector', 'Call', 'AggregateExpr', 'ParenExpr'].includes(inner.type);
      return { ...e, expr: atomic ? inner : wrap(inner) };
    }
    default:
      return e;
  }
}

describe('round trip property', () => {
  it('random trees print to text that parses back to the same tree', () => {
    fc.assert(
      fc.property(fc.oneof(vector, scalar), (raw) => {
        const tree = parenthesize(raw);
        const text = print(tree);
        expect(exprEqual(parse(text), tree), text).toBe(true);
        expect(exprEqual(parse(pretty(tree)), tree), pretty(tree)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
