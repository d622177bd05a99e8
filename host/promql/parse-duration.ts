/**
 * Durations in ranges, subquery steps, offsets and `@`: literals plus Prometheus 3's duration
 * expressions (`step()`, `range()`, `min_of`, `max_of`, arithmetic).
 */
import type { AtModifier, DurationBinaryOp, DurationExpr, DurationLiteral } from './ast.js';
import type { Cursor } from './cursor.js';
import { parseDuration, parseNumber } from './numbers.js';

/** Prometheus keeps durations as int64 nanoseconds: literals past ±2^63 ns are refused. */
const MAX_SECONDS = 2 ** 63 / 1e9;

const BINARY_PREC: Record<string, number> = { '+': 1, '-': 1, '*': 2, '/': 2, '%': 2, '^': 3 };

/** A range or step: any duration expression; a literal must be greater than zero. */
export function parsePositiveDuration(c: Cursor): DurationExpr {
  const start = c.peek();
  const d = parseBinary(c, 1);
  if (d.type === 'Duration') {
    if (!(d.seconds > 0)) c.fail('duration must be greater than 0', start.start, c.previous().end);
    return { ...d, unit: true };
  }
  return d;
}

/**
 * The offset after `offset`. Prometheus binds a bare (optionally signed) literal, `step()`,
 * `range()` or `min_of`/`max_of` call to the offset alone, so `foo offset 5m - 8` subtracts 8
 * from the offset query; only a parenthesised start lets arithmetic continue inside the offset.
 */
export function parseOffsetDuration(c: Cursor): DurationExpr {
  let sign: '+' | '-' | undefined;
  if ((c.at('+') || c.at('-')) && !(c.at('+', 1) || c.at('-', 1))) {
    sign = c.next().text as '+' | '-';
  }
  let d: DurationExpr;
  if (sign === undefined && c.at('(')) {
    d = parseBinary(c, 1);
  } else {
    d = parsePrimary(c);
    if (sign !== undefined) d = applyUnary(c, sign, d);
  }
  return d.type === 'Duration' ? { ...d, unit: true } : d;
}

/** `@ <number>`, `@ <duration>` (its seconds) or `@ start()` / `@ end()`. */
export function parseAt(c: Cursor): AtModifier {
  for (const which of ['start', 'end'] as const) {
    if (c.atKeyword(which) && c.at('(', 1) && c.at(')', 2)) {
      c.next();
      c.next();
      c.next();
      return { type: which };
    }
  }
  const first = c.peek();
  let sign = 1;
  if (c.at('+') || c.at('-')) sign = c.next().text === '-' ? -1 : 1;
  const t = c.peek();
  const v = literalSeconds(t.kind, t.text);
  if (v === undefined) c.unexpected('@', 'timestamp');
  c.next();
  const seconds = sign * v;
  if (!Number.isFinite(seconds) || Math.abs(seconds) >= 2 ** 63) {
    c.fail(`timestamp out of bounds for @ modifier: ${seconds}`, first.start, t.end);
  }
  return { type: 'timestamp', ms: Math.round(seconds * 1000) };
}

function literalSeconds(kind: string, text: string): number | undefined {
  if (kind === 'number') return parseNumber(text);
  if (kind === 'duration') return parseDuration(text)! / 1000;
  if (kind === 'ident' && /^(inf|nan)$/i.test(text)) return parseNumber(text);
  return undefined;
}

function parseBinary(c: Cursor, minPrec: number): DurationExpr {
  let lhs = parseUnary(c);
  for (;;) {
    const t = c.peek();
    const prec = t.kind === 'op' ? BINARY_PREC[t.text] : undefined;
    if (prec === undefined || prec < minPrec) return lhs;
    c.next();
    // `^` is right-associative: its right side may hold another `^`.
    const rhs = parseBinary(c, t.text === '^' ? prec : prec + 1);
    if ((t.text === '/' || t.text === '%') && rhs.type === 'Duration' && rhs.seconds === 0) {
      c.fail(t.text === '/' ? 'division by zero' : 'modulo by zero', t.start, t.end);
    }
    lhs = { type: 'DurationBinary', op: t.text as DurationBinaryOp, lhs, rhs };
  }
}

/** Unary signs bind like `*`: `-2^2` is `-(2^2)`, `-2*3` is `(-2)*3`. */
function parseUnary(c: Cursor): DurationExpr {
  if (c.at('+') || c.at('-')) {
    const op = c.next().text as '+' | '-';
    return applyUnary(c, op, parseBinary(c, 3));
  }
  return parsePrimary(c);
}

function applyUnary(c: Cursor, op: '+' | '-', d: DurationExpr): DurationExpr {
  if (d.type === 'Duration') {
    const seconds = op === '-' ? -d.seconds : d.seconds;
    return checkRange(c, { ...d, seconds });
  }
  return op === '-' ? { type: 'DurationUnary', op, expr: d } : d;
}

function parsePrimary(c: Cursor): DurationExpr {
  const t = c.peek();
  if (t.kind === 'number' || t.kind === 'duration') {
    c.next();
    const seconds = literalSeconds(t.kind, t.text);
    if (seconds === undefined) c.fail(`invalid number ${JSON.stringify(t.text)}`, t.start, t.end);
    return checkRange(c, { type: 'Duration', seconds, unit: t.kind === 'duration' }, t);
  }
  if (c.at('(')) {
    c.next();
    const inner = parseBinary(c, 1);
    c.expect(')', 'duration expression');
    // A parenthesised literal is just the literal, as in Prometheus.
    return inner.type === 'Duration' ? inner : { type: 'DurationParen', expr: inner };
  }
  if (t.kind === 'ident' && c.at('(', 1)) {
    const name = t.text.toLowerCase();
    if (name === 'step' || name === 'range') {
      c.next();
      c.next();
      c.expect(')', `${name}()`);
      return { type: name === 'step' ? 'DurationStep' : 'DurationRange' };
    }
    if (name === 'min_of' || name === 'max_of') {
      c.next();
      c.next();
      const lhs = parseBinary(c, 1);
      c.expect(',', name);
      const rhs = parseBinary(c, 1);
      c.expect(')', name);
      return { type: 'DurationCall', fn: name, lhs, rhs };
    }
  }
  return c.unexpected('duration expression', 'number, duration, step(), or range()');
}

function checkRange(c: Cursor, d: DurationLiteral, t = c.previous()): DurationLiteral {
  if (!(Math.abs(d.seconds) <= MAX_SECONDS)) c.fail('duration out of range', t.start, t.end);
  return d;
}
