/**
 * Series selectors for `match`: `name`, `name{matchers}` and `{matchers}`, as in PromQL.
 * A deliberately small parser until host/promql lands; replace parseSeriesSelector's body with
 * that parser's selector entry point then (the Matcher output stays the same).
 */
import { compileMatcher, type CompiledMatcher, type Matcher, type MatchType } from '../series/matcher.js';
import { METRIC_NAME } from '../series/labels.js';

const NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_RE = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const OPS: MatchType[] = ['=~', '!~', '!=', '='];

/** Parses a selector into matchers; throws SyntaxError saying where it went wrong. */
export function parseSeriesSelector(text: string): Matcher[] {
  const p = new Parser(text);
  const matchers: Matcher[] = [];
  p.skipSpace();
  const name = p.take(NAME_RE);
  if (name) matchers.push({ name: METRIC_NAME, type: '=', value: name });
  p.skipSpace();
  if (p.accept('{')) {
    for (;;) {
      p.skipSpace();
      if (p.accept('}')) break;
      matchers.push(p.matcher());
      p.skipSpace();
      if (p.accept(',')) continue;
      p.skipSpace();
      if (!p.accept('}')) p.fail('expected "," or "}"');
      break;
    }
  }
  p.skipSpace();
  if (!p.done()) p.fail('unexpected text after the selector');
  if (matchers.length === 0) p.fail('a selector needs a metric name or at least one matcher');
  if (matchers.every((m) => compileMatcher(m).matches(''))) p.fail('a selector must contain at least one matcher that does not match the empty string');
  return matchers;
}

/** Compiles a selector list (`match` as a string or list): a series matches if any selector does. */
export function compileSelectors(match: string | string[] | undefined): CompiledMatcher[][] {
  if (match === undefined) return [];
  const list = Array.isArray(match) ? match : [match];
  return list.map((s) => parseSeriesSelector(s).map(compileMatcher));
}

/** Whether labels (via `get`) satisfy any of the selectors; no selectors match everything. */
export function matchesAny(selectors: CompiledMatcher[][], get: (name: string) => string | undefined): boolean {
  if (selectors.length === 0) return true;
  return selectors.some((ms) => ms.every((m) => m.matches(get(m.name) ?? '')));
}

class Parser {
  #text: string;
  #pos = 0;
  constructor(text: string) {
    this.#text = text;
  }
  done(): boolean {
    return this.#pos >= this.#text.length;
  }
  skipSpace(): void {
    while (this.#pos < this.#text.length && /\s/.test(this.#text[this.#pos]!)) this.#pos++;
  }
  accept(s: string): boolean {
    if (!this.#text.startsWith(s, this.#pos)) return false;
    this.#pos += s.length;
    return true;
  }
  take(re: RegExp): string | undefined {
    const m = re.exec(this.#text.slice(this.#pos));
    if (!m) return undefined;
    this.#pos += m[0].length;
    return m[0];
  }
  fail(message: string): never {
    throw new SyntaxError(`${message} at position ${this.#pos} in ${JSON.stringify(this.#text)}`);
  }
  matcher(): Matcher {
    const name = this.take(LABEL_RE) ?? (this.#peekQuote() ? this.string() : this.fail('expected a label name'));
    this.skipSpace();
    const type = OPS.find((op) => this.accept(op)) ?? this.fail('expected one of =, !=, =~, !~');
    this.skipSpace();
    const value = this.string();
    const m: Matcher = { name, type, value };
    try {
      compileMatcher(m);
    } catch (err) {
      this.fail((err as Error).message);
    }
    return m;
  }
  #peekQuote(): boolean {
    return `"'\``.includes(this.#text[this.#pos] ?? 'x');
  }
  string(): string {
    const quote = this.#text[this.#pos];
    if (quote === undefined || !`"'\``.includes(quote)) this.fail('expected a quoted string');
    let out = '';
    let i = this.#pos + 1;
    for (; i < this.#text.length && this.#text[i] !== quote; i++) {
      const c = this.#text[i]!;
      if (c === '\\' && quote !== '`') {
        const n = this.#text[++i];
        out += n === 'n' ? '\n' : n === 't' ? '\t' : n === 'r' ? '\r' : (n ?? '');
      } else out += c;
    }
    if (i >= this.#text.length) this.fail('unterminated string');
    this.#pos = i + 1;
    return out;
  }
}
