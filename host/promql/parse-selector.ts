/** Vector selectors: `name`, `name{matchers}`, `{matchers}`, with Prometheus's validity rules. */
import { RE2JS } from 're2js';
import type { Matcher, MatchOp, VectorSelector } from './ast.js';
import type { Cursor } from './cursor.js';
import { isLegacyLabelName } from './strings.js';

const MATCH_OPS: ReadonlySet<string> = new Set(['=', '!=', '=~', '!~']);

/**
 * Parse a selector whose metric name (if any) was already consumed. `start` is where the
 * selector began, for positions.
 */
export function parseVectorSelector(c: Cursor, name: string, start: number): VectorSelector {
  const matchers: Matcher[] = [];
  if (c.at('{')) {
    c.next();
    while (!c.at('}')) {
      matchers.push(parseMatcher(c));
      if (c.accept(',')) continue;
      if (!c.at('}')) c.unexpected('label matching', '"," or "}"');
    }
    c.next();
  }
  const end = c.previous().end;
  const vs: VectorSelector = { type: 'VectorSelector', name, matchers, pos: { start, end } };
  checkSelector(c, vs);
  return vs;
}

function parseMatcher(c: Cursor): Matcher {
  const t = c.peek();
  let label: string;
  if (t.kind === 'string') {
    c.next();
    label = c.stringValue(t);
    // A bare quoted string is the metric name: `{"some.metric", job="x"}`.
    if (!c.at('=') && !c.at('!=') && !c.at('=~') && !c.at('!~')) {
      return { name: '__name__', op: '=', value: label };
    }
  } else if (t.kind === 'ident') {
    if (!isLegacyLabelName(t.text)) c.unexpected('label matching', 'identifier or "}"');
    c.next();
    label = t.text;
  } else {
    return c.unexpected('label matching', 'identifier or "}"');
  }
  const opTok = c.peek();
  if (opTok.kind !== 'op' || !MATCH_OPS.has(opTok.text)) c.unexpected('label matching', 'label matching operator');
  c.next();
  const valueTok = c.peek();
  if (valueTok.kind !== 'string') c.unexpected('label matching', 'string');
  c.next();
  const value = c.stringValue(valueTok);
  const op = opTok.text as MatchOp;
  if (op === '=~' || op === '!~') {
    try {
      RE2JS.compile(value);
    } catch (e) {
      c.fail(`invalid regular expression ${JSON.stringify(value)}: ${(e as Error).message}`, valueTok.start, valueTok.end);
    }
  }
  return { name: label, op, value };
}

/** Whether a matcher accepts the empty string (the value of a label a series does not have). */
export function matchesEmpty(m: Matcher): boolean {
  switch (m.op) {
    case '=':
      return m.value === '';
    case '!=':
      return m.value !== '';
    case '=~':
      return RE2JS.compile(m.value, RE2JS.DOTALL).matches('');
    case '!~':
      return !RE2JS.compile(m.value, RE2JS.DOTALL).matches('');
  }
}

function checkSelector(c: Cursor, vs: VectorSelector): void {
  const pos = vs.pos!;
  if (vs.name !== '') {
    const dup = vs.matchers.find((m) => m.name === '__name__');
    if (dup) c.fail(`metric name must not be set twice: ${JSON.stringify(vs.name)} or ${JSON.stringify(dup.value)}`, pos.start, pos.end);
  }
}

/**
 * A selector whose every matcher accepts the empty string would select every series: Prometheus
 * refuses it (the checker applies this, except to info()'s label selector).
 */
export function selectsEverything(vs: VectorSelector): boolean {
  return vs.name === '' && vs.matchers.every(matchesEmpty);
}
