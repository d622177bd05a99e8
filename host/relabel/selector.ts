import { compileMatcher, matchesAll, type CompiledMatcher, type MatchType } from '../series/matcher.js';
import { unquote } from '../promql/strings.js';
import { METRIC_NAME } from '../series/labels.js';
import { MemoRegex } from './memo-regex.js';

/**
 * A parsed `if:` series selector: `metric{label="v", other=~"re"}`, or VictoriaMetrics'
 * `{a="x" or b="y"}`. It matches when every matcher of any one alternative matches.
 */
export interface SeriesSelector {
  readonly text: string;
  readonly alternatives: readonly (readonly CompiledMatcher[])[];
  matches(get: (name: string) => string | undefined): boolean;
}

/** Parses one selector; throws SyntaxError with the offending position. */
export function parseSeriesSelector(text: string): SeriesSelector {
  const alternatives = new Parser(text).parse();
  return {
    text,
    alternatives,
    matches: (get) => alternatives.some((alt) => matchesAll(alt, get)),
  };
}

/** Several selectors (a YAML list under `if:`): any of them may match. */
export function anySelector(selectors: readonly SeriesSelector[]): SeriesSelector {
  if (selectors.length === 1) return selectors[0]!;
  return {
    text: selectors.map((s) => s.text).join(' or '),
    alternatives: selectors.flatMap((s) => s.alternatives),
    matches: (get) => selectors.some((s) => s.matches(get)),
  };
}

const NAME_START = /[a-zA-Z_:]/;
const NAME_CHAR = /[a-zA-Z0-9_:.]/;
const OPS: readonly MatchType[] = ['=~', '!~', '!=', '='];

class Parser {
  #text: string;
  #pos = 0;

  constructor(text: string) {
    this.#text = text;
  }

  parse(): CompiledMatcher[][] {
    this.#space();
    const name = NAME_START.test(this.#text[this.#pos] ?? '') ? this.#ident() : '';
    const base: CompiledMatcher[] = name === '' ? [] : [compileMatcher({ name: METRIC_NAME, type: '=', value: name })];
    const alternatives: CompiledMatcher[][] = [];
    this.#space();
    if (this.#peek('{')) {
      this.#pos++;
      let current = [...base];
      for (;;) {
        this.#space();
        if (this.#peek('}')) break;
        current.push(this.#matcher());
        this.#space();
        if (this.#peek(',')) {
          this.#pos++;
          continue;
        }
        if (this.#word('or')) {
          alternatives.push(current);
          current = [...base];
          continue;
        }
        if (!this.#peek('}')) this.#fail('expected ",", "or" or "}"');
      }
      this.#pos++;
      alternatives.push(current);
    } else {
      alternatives.push(base);
    }
    this.#space();
    if (this.#pos < this.#text.length) this.#fail('unexpected text after the selector');
    if (alternatives.every((a) => a.length === 0)) this.#fail('a selector needs a metric name or at least one matcher');
    return alternatives;
  }

  #matcher(): CompiledMatcher {
    const name = this.#peek('"') || this.#peek("'") || this.#peek('`') ? this.#string() : this.#ident();
    this.#space();
    const type = OPS.find((op) => this.#text.startsWith(op, this.#pos));
    if (type === undefined) this.#fail('expected one of =, !=, =~, !~');
    this.#pos += type!.length;
    this.#space();
    const value = this.#string();
    try {
      if (type === '=~' || type === '!~') {
        const re = new MemoRegex(value);
        const negate = type === '!~';
        return { name, type, value, matches: (v: string) => re.matches(v) !== negate };
      }
      return compileMatcher({ name, type: type!, value });
    } catch (err) {
      return this.#fail((err as Error).message);
    }
  }

  #ident(): string {
    const start = this.#pos;
    if (!NAME_START.test(this.#text[this.#pos] ?? '')) this.#fail('expected a label name');
    while (this.#pos < this.#text.length && NAME_CHAR.test(this.#text[this.#pos]!)) this.#pos++;
    return this.#text.slice(start, this.#pos);
  }

  /** A quoted string with Go's escapes, as PromQL reads it: "..." or '...', or raw `...`. */
  #string(): string {
    const quote = this.#text[this.#pos];
    if (quote !== '"' && quote !== "'" && quote !== '`') return this.#fail('expected a quoted string');
    let i = this.#pos + 1;
    while (i < this.#text.length && this.#text[i] !== quote) i += quote !== '`' && this.#text[i] === '\\' ? 2 : 1;
    if (i >= this.#text.length) this.#fail('unterminated string');
    const body = this.#text.slice(this.#pos + 1, i);
    this.#pos = i + 1;
    const r = unquote(body, quote);
    return 'value' in r ? r.value : this.#fail(`${r.error} in ${quote}${body}${quote}`);
  }

  #peek(ch: string): boolean {
    return this.#text[this.#pos] === ch;
  }

  #word(w: string): boolean {
    if (!this.#text.startsWith(w, this.#pos) || NAME_CHAR.test(this.#text[this.#pos + w.length] ?? '')) return false;
    this.#pos += w.length;
    return true;
  }

  #space(): void {
    while (/\s/.test(this.#text[this.#pos] ?? '')) this.#pos++;
  }

  #fail(message: string): never {
    throw new SyntaxError(`invalid series selector ${JSON.stringify(this.#text)} at offset ${this.#pos}: ${message}`);
  }
}
