import { PromQLError } from './errors.js';
import { lex, LexError, type Token } from './lexer.js';
import { unquote } from './strings.js';

/** A position in the token list, shared by the expression, selector and duration parsers. */
export class Cursor {
  readonly tokens: Token[];
  private index = 0;

  constructor(readonly query: string) {
    try {
      this.tokens = lex(query);
    } catch (e) {
      if (e instanceof LexError) throw new PromQLError(e.message, { start: e.start, end: e.end }, query);
      throw e;
    }
  }

  peek(k = 0): Token {
    return this.tokens[Math.min(this.index + k, this.tokens.length - 1)]!;
  }

  next(): Token {
    const t = this.peek();
    if (this.index < this.tokens.length - 1) this.index++;
    return t;
  }

  /** The token just consumed (for end positions). */
  previous(): Token {
    return this.tokens[Math.max(0, this.index - 1)]!;
  }

  /** Is the next token this punctuation or operator? */
  at(text: string, k = 0): boolean {
    const t = this.peek(k);
    return (t.kind === 'punct' || t.kind === 'op') && t.text === text;
  }

  /** Is the next token a name that reads as this keyword (keywords are case-insensitive)? */
  atKeyword(word: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'ident' && t.text.toLowerCase() === word;
  }

  accept(text: string): boolean {
    if (!this.at(text)) return false;
    this.next();
    return true;
  }

  expect(text: string, context: string): Token {
    if (!this.at(text)) this.unexpected(context, JSON.stringify(text));
    return this.next();
  }

  /** Fail at the next token, phrased like Prometheus's "unexpected X in Y, expected Z". */
  unexpected(context: string, expected: string): never {
    const t = this.peek();
    const what = describe(t);
    const inCtx = context === '' ? '' : ` in ${context}`;
    const exp = expected === '' ? '' : `, expected ${expected}`;
    this.fail(`unexpected ${what}${inCtx}${exp}`, t.start, t.end);
  }

  fail(message: string, start: number, end: number): never {
    throw new PromQLError(message, { start, end }, this.query);
  }

  /** The unquoted value of a string token. */
  stringValue(t: Token): string {
    const r = unquote(t.text.slice(1, -1), t.text[0]!);
    if ('error' in r) this.fail(`${r.error} in ${t.text}`, t.start, t.end);
    return r.value;
  }
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'end of input';
    case 'string':
      return `string ${JSON.stringify(t.text)}`;
    case 'number':
      return `number ${JSON.stringify(t.text)}`;
    case 'duration':
      return `duration ${JSON.stringify(t.text)}`;
    case 'ident':
      return `identifier ${JSON.stringify(t.text)}`;
    default:
      return `"${t.text}"`;
  }
}
