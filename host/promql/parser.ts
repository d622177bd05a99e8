/**
 * PromQL text to syntax tree: a hand-written precedence-climbing parser that follows the
 * grammar of Prometheus 3.x (promql/parser/generated_parser.y) rule for rule, including its
 * conflict resolutions. `parse` also runs the checker, so it accepts exactly what Prometheus
 * accepts; `parseSyntax` stops after syntax.
 */
import {
  AGGREGATORS, type AggregateExpr, type AggregateOp, type AtModifier, type BinaryExpr, type BinaryOp,
  type Call, type DurationExpr, type Expr, type MatrixSelector, type SubqueryExpr, type VectorMatching,
  type VectorSelector, SET_OPS,
} from './ast.js';
import { check } from './checker.js';
import { Cursor } from './cursor.js';
import { getFunction } from './functions.js';
import { parseDuration, parseNumber } from './numbers.js';
import { parseAt, parseOffsetDuration, parsePositiveDuration } from './parse-duration.js';
import { parseVectorSelector } from './parse-selector.js';
import { isLegacyLabelName } from './strings.js';

/** Binding strength of binary operators, loosest first, as in Prometheus's grammar. */
const PRECEDENCE: Record<string, number> = {
  or: 1,
  and: 2, unless: 2,
  '==': 3, '!=': 3, '<': 3, '<=': 3, '>': 3, '>=': 3, '</': 3, '>/': 3,
  '+': 4, '-': 4,
  '*': 5, '/': 5, '%': 5, atan2: 5,
  '^': 6,
};
/** Unary signs bind like `*` (so `-a^2` is `-(a^2)`), which means their operand is parsed at `^`. */
const UNARY_OPERAND_PREC = 6;

const AGGREGATOR_SET: ReadonlySet<string> = new Set(AGGREGATORS);
/** Keywords that can never be a metric name (the rest of PromQL's keywords can). */
const NOT_METRIC_NAMES: ReadonlySet<string> = new Set(['bool', 'on', 'ignoring', 'group_left', 'group_right', 'atan2']);

/** Parse and type-check a query; throws PromQLError with position on anything Prometheus rejects. */
export function parse(query: string): Expr {
  const expr = parseSyntax(query);
  check(expr, query);
  return expr;
}

/** Parse without type-checking (for tools that want to report type errors separately). */
export function parseSyntax(query: string): Expr {
  const c = new Cursor(query);
  if (c.peek().kind === 'eof') c.fail('no expression found in input', 0, 0);
  const expr = parseExpr(c, 1);
  if (c.peek().kind !== 'eof') c.unexpected('', '');
  return expr;
}

function binaryOp(c: Cursor): string | undefined {
  const t = c.peek();
  const key = t.kind === 'op' ? t.text : t.kind === 'ident' ? t.text.toLowerCase() : undefined;
  return key !== undefined && key in PRECEDENCE ? key : undefined;
}

function parseExpr(c: Cursor, minPrec: number): Expr {
  let lhs = parseUnary(c);
  for (;;) {
    const op = binaryOp(c);
    if (op === undefined) return lhs;
    const prec = PRECEDENCE[op]!;
    if (prec < minPrec) return lhs;
    c.next();
    const node = parseBinaryModifiers(c, op as BinaryOp);
    // `^` is right-associative; everything else is left-associative.
    const rhs = parseExpr(c, op === '^' ? prec : prec + 1);
    node.lhs = lhs;
    node.rhs = rhs;
    node.pos = { start: lhs.pos!.start, end: rhs.pos!.end };
    lhs = node;
  }
}

function parseBinaryModifiers(c: Cursor, op: BinaryOp): BinaryExpr {
  const node: BinaryExpr = { type: 'BinaryExpr', op, lhs: undefined!, rhs: undefined!, returnBool: false };
  if (c.atKeyword('bool')) {
    c.next();
    node.returnBool = true;
  }
  const matching: VectorMatching = {
    card: SET_OPS.has(op) ? 'many-to-many' : 'one-to-one', on: false, labels: [], include: [],
  };
  if (c.atKeyword('on') || c.atKeyword('ignoring')) {
    matching.on = c.next().text.toLowerCase() === 'on';
    matching.labels = parseGroupingLabels(c);
    if (c.atKeyword('group_left') || c.atKeyword('group_right')) {
      matching.card = c.next().text.toLowerCase() === 'group_left' ? 'many-to-one' : 'one-to-many';
      if (c.at('(')) matching.include = parseGroupingLabels(c);
    }
  }
  parseFill(c, matching);
  node.matching = matching;
  return node;
}

/** Prometheus 3 fill modifiers: `fill(v)`, or `fill_left(v)` and/or `fill_right(v)`. */
function parseFill(c: Cursor, matching: VectorMatching): void {
  for (let k = 0; k < 2; k++) {
    const word = c.peek().kind === 'ident' ? c.peek().text.toLowerCase() : '';
    if (!['fill', 'fill_left', 'fill_right'].includes(word) || !c.at('(', 1)) return;
    if (word === 'fill' && k > 0) c.unexpected('binary expression', 'operand');
    c.next();
    c.next();
    let sign = 1;
    if (c.at('+') || c.at('-')) sign = c.next().text === '-' ? -1 : 1;
    const t = c.next();
    const v = t.kind === 'duration' ? parseDuration(t.text)! / 1000 : parseNumber(t.text);
    if (v === undefined || !(t.kind === 'number' || t.kind === 'duration' || t.kind === 'ident')) {
      c.fail(`unexpected ${JSON.stringify(t.text)} in fill modifier, expected number`, t.start, t.end);
    }
    c.expect(')', 'fill modifier');
    if (word !== 'fill_right') matching.fillLeft = sign * v;
    if (word !== 'fill_left') matching.fillRight = sign * v;
    if (word === 'fill') return;
  }
}

function parseUnary(c: Cursor): Expr {
  if (c.at('+') || c.at('-')) {
    const t = c.next();
    const operand = parseExpr(c, UNARY_OPERAND_PREC);
    const pos = { start: t.start, end: operand.pos!.end };
    if (operand.type === 'NumberLiteral') {
      // Prometheus folds a sign into a number literal: `-1` is the number -1, not an operation.
      return { ...operand, value: t.text === '-' ? -operand.value : operand.value, pos };
    }
    return { type: 'UnaryExpr', op: t.text as '+' | '-', expr: operand, pos };
  }
  return parsePostfix(c, parsePrimary(c));
}

function parsePrimary(c: Cursor): Expr {
  const t = c.peek();
  const pos = (): { start: number; end: number } => ({ start: t.start, end: c.previous().end });
  switch (t.kind) {
    case 'number':
      c.next();
      return { type: 'NumberLiteral', value: number(c, t.text), pos: pos() };
    case 'duration':
      c.next();
      return { type: 'NumberLiteral', value: parseDuration(t.text)! / 1000, duration: true, pos: pos() };
    case 'string':
      c.next();
      return { type: 'StringLiteral', value: c.stringValue(t), pos: pos() };
    case 'punct':
      if (t.text === '(') {
        c.next();
        const inner = parseExpr(c, 1);
        c.expect(')', 'paren expression');
        return { type: 'ParenExpr', expr: inner, pos: pos() };
      }
      if (t.text === '{') return parseVectorSelector(c, '', t.start);
      break;
    case 'ident': {
      const lower = t.text.toLowerCase();
      if (lower === 'inf' || lower === 'nan') {
        c.next();
        return { type: 'NumberLiteral', value: lower === 'inf' ? Infinity : NaN, pos: pos() };
      }
      if (AGGREGATOR_SET.has(lower) && (c.at('(', 1) || c.atKeyword('by', 1) || c.atKeyword('without', 1))) {
        return parseAggregation(c);
      }
      if (c.at('(', 1)) return parseCall(c);
      if (NOT_METRIC_NAMES.has(lower)) break;
      c.next();
      return parseVectorSelector(c, t.text, t.start);
    }
    default:
      break;
  }
  return c.unexpected('', '');
}

function number(c: Cursor, text: string): number {
  const v = parseNumber(text);
  if (v === undefined) c.fail(`bad number or duration syntax: ${JSON.stringify(text)}`, c.previous().start, c.previous().end);
  return v;
}

function parseAggregation(c: Cursor): AggregateExpr {
  const opTok = c.next();
  const node: AggregateExpr = {
    type: 'AggregateExpr', op: opTok.text.toLowerCase() as AggregateOp, expr: undefined!, grouping: [], without: false,
  };
  let modifier = parseAggregateModifier(c, node);
  if (!c.at('(')) c.unexpected('aggregation', '"("');
  const args = parseArgs(c);
  if (!modifier) modifier = parseAggregateModifier(c, node);
  node.pos = { start: opTok.start, end: c.previous().end };
  const withParam = node.op === 'topk' || node.op === 'bottomk' || node.op === 'quantile' ||
    node.op === 'count_values' || node.op === 'limitk' || node.op === 'limit_ratio';
  if (args.length === 0) c.fail('no arguments for aggregate expression provided', node.pos.start, node.pos.end);
  const want = withParam ? 2 : 1;
  if (args.length !== want) {
    c.fail(`wrong number of arguments for aggregate expression provided, expected ${want}, got ${args.length}`, node.pos.start, node.pos.end);
  }
  if (withParam) node.param = args[0];
  node.expr = args[args.length - 1]!;
  return node;
}

function parseAggregateModifier(c: Cursor, node: AggregateExpr): boolean {
  if (!c.atKeyword('by') && !c.atKeyword('without')) return false;
  node.without = c.next().text.toLowerCase() === 'without';
  node.grouping = parseGroupingLabels(c);
  return true;
}

function parseGroupingLabels(c: Cursor): string[] {
  if (!c.at('(')) c.unexpected('grouping opts', '"("');
  c.next();
  const labels: string[] = [];
  while (!c.at(')')) {
    const t = c.peek();
    if (t.kind === 'ident' && isLegacyLabelName(t.text)) labels.push(t.text);
    else if (t.kind === 'string') labels.push(c.stringValue(t));
    else c.unexpected('grouping opts', 'label');
    c.next();
    if (c.accept(',')) continue;
    if (!c.at(')')) c.unexpected('grouping opts', '"," or ")"');
  }
  c.next();
  return labels;
}

function parseCall(c: Cursor): Call {
  const nameTok = c.next();
  if (getFunction(nameTok.text) === undefined) {
    c.fail(`unknown function with name ${JSON.stringify(nameTok.text)}`, nameTok.start, nameTok.end);
  }
  const args = parseArgs(c);
  return { type: 'Call', func: nameTok.text, args, pos: { start: nameTok.start, end: c.previous().end } };
}

function parseArgs(c: Cursor): Expr[] {
  c.expect('(', 'function call');
  const args: Expr[] = [];
  if (c.accept(')')) return args;
  for (;;) {
    args.push(parseExpr(c, 1));
    if (c.at(',')) {
      const comma = c.next();
      if (c.at(')')) c.fail('trailing commas not allowed in function call args', comma.start, comma.end);
      continue;
    }
    c.expect(')', 'function call args');
    return args;
  }
}

/** Ranges, subqueries and the modifiers that bind tighter than any operator. */
function parsePostfix(c: Cursor, expr: Expr): Expr {
  for (;;) {
    if (c.at('[')) expr = parseRangeOrSubquery(c, expr);
    else if (c.atKeyword('offset')) {
      const t = c.next();
      setOffset(c, expr, parseOffsetDuration(c), t.start);
    } else if (c.at('@')) {
      const t = c.next();
      setAt(c, expr, parseAt(c), t.start);
    } else if (c.atKeyword('anchored') || c.atKeyword('smoothed')) {
      const t = c.next();
      const vs = expr.type === 'VectorSelector' ? expr : expr.type === 'MatrixSelector' ? expr.vector : undefined;
      const which = t.text.toLowerCase() as 'anchored' | 'smoothed';
      if (!vs) c.fail(`${which} modifier must be preceded by an instant vector selector or range vector selector`, t.start, t.end);
      if (vs.anchored || vs.smoothed) c.fail(`${which} modifier may not be combined with another anchored or smoothed modifier`, t.start, t.end);
      vs[which] = true;
    } else return expr;
    expr.pos = { start: expr.pos!.start, end: c.previous().end };
  }
}

function parseRangeOrSubquery(c: Cursor, expr: Expr): Expr {
  const open = c.next();
  const range = parsePositiveDuration(c);
  if (c.accept(':')) {
    const step = c.at(']') ? undefined : parsePositiveDuration(c);
    c.expect(']', 'subquery selector');
    const sq: SubqueryExpr = { type: 'SubqueryExpr', expr, range, pos: { start: expr.pos!.start, end: c.previous().end } };
    if (step) sq.step = step;
    return sq;
  }
  if (!c.at(']')) c.unexpected('subquery or range', '":" or "]"');
  const close = c.next();
  let msg = '';
  if (expr.type !== 'VectorSelector') msg = 'ranges only allowed for vector selectors';
  else if (expr.offset) msg = 'no offset modifiers allowed before range';
  else if (expr.at) msg = 'no @ modifiers allowed before range';
  if (msg) c.fail(msg, open.start, close.end);
  const ms: MatrixSelector = {
    type: 'MatrixSelector', vector: expr as VectorSelector, range, pos: { start: expr.pos!.start, end: close.end },
  };
  return ms;
}

type Modifiable = VectorSelector | SubqueryExpr;

function modifiable(expr: Expr): Modifiable | undefined {
  if (expr.type === 'VectorSelector' || expr.type === 'SubqueryExpr') return expr;
  if (expr.type === 'MatrixSelector') return expr.vector;
  return undefined;
}

function setOffset(c: Cursor, expr: Expr, d: DurationExpr, start: number): void {
  const target = modifiable(expr);
  const end = c.previous().end;
  if (!target) c.fail('offset modifier must be preceded by an instant vector selector or range vector selector or a subquery', start, end);
  if (target.offset) c.fail('offset may not be set multiple times', start, end);
  // A zero offset is no offset, as in Prometheus (which stores it as a zero duration).
  if (d.type === 'Duration' && d.seconds === 0) return;
  target.offset = d;
}

function setAt(c: Cursor, expr: Expr, at: AtModifier, start: number): void {
  const target = modifiable(expr);
  const end = c.previous().end;
  if (!target) c.fail('@ modifier must be preceded by an instant vector selector or range vector selector or a subquery', start, end);
  if (target.at) c.fail('@ <timestamp> may not be set multiple times', start, end);
  target.at = at;
}
