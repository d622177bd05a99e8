import { parseDuration } from './numbers.js';

/**
 * The PromQL lexer: text to tokens. Keywords are not decided here, because PromQL's keywords are
 * contextual (`sum`, `offset`, `start` are also metric names); the parser looks at `ident` tokens'
 * lower-cased text where a keyword may stand.
 */

export type TokenKind =
  | 'ident' // names and keywords; `:` allowed outside brackets (recording-rule names)
  | 'number' // decimal, hex, octal, Inf, NaN
  | 'duration' // 5m, 1h30m
  | 'string'
  | 'op' // + - * / % ^ == != < <= > >= =~ !~ = </ >/ @
  | 'punct' // ( ) { } [ ] , :
  | 'eof';

export interface Token {
  kind: TokenKind;
  /** The token's text; for strings, the unquoted value is computed by the parser. */
  text: string;
  start: number;
  end: number;
}

export class LexError extends Error {
  constructor(message: string, readonly start: number, readonly end: number) {
    super(message);
  }
}

const OPERATORS = ['==', '!=', '<=', '>=', '=~', '!~', '</', '>/', '+', '-', '*', '/', '%', '^', '<', '>', '=', '@'];

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isAlnum(c: number): boolean {
  return isIdentStart(c) || isDigit(c);
}

/** Tokenise a whole query. Throws LexError with the offending range. */
export function lex(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  // Inside `[...]` a colon separates range and step, so it cannot start or continue a name.
  let bracketDepth = 0;
  const n = input.length;
  while (i < n) {
    const c = input.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      i++;
      continue;
    }
    if (c === 35) {
      // `#` comment to end of line
      while (i < n && input.charCodeAt(i) !== 10) i++;
      continue;
    }
    const start = i;
    if (isIdentStart(c) || (c === 58 && bracketDepth === 0)) {
      i++;
      while (i < n) {
        const d = input.charCodeAt(i);
        if (isAlnum(d) || (d === 58 && bracketDepth === 0)) i++;
        else break;
      }
      tokens.push({ kind: 'ident', text: input.slice(start, i), start, end: i });
      continue;
    }
    if (isDigit(c) || (c === 46 && isDigit(input.charCodeAt(i + 1)))) {
      i = lexNumberOrDuration(input, i, tokens);
      continue;
    }
    if (c === 34 || c === 39 || c === 96) {
      i = lexString(input, i, tokens);
      continue;
    }
    const ch = input[i]!;
    if ('(){}[],'.includes(ch) || (ch === ':' && bracketDepth > 0)) {
      if (ch === '[') bracketDepth++;
      if (ch === ']') bracketDepth = Math.max(0, bracketDepth - 1);
      tokens.push({ kind: 'punct', text: ch, start, end: i + 1 });
      i++;
      continue;
    }
    const op = OPERATORS.find((o) => input.startsWith(o, i));
    if (op !== undefined) {
      tokens.push({ kind: 'op', text: op, start, end: i + op.length });
      i += op.length;
      continue;
    }
    const cp = input.codePointAt(i)!;
    throw new LexError(`unexpected character: ${JSON.stringify(String.fromCodePoint(cp))}`, i, i + 1);
  }
  tokens.push({ kind: 'eof', text: '', start: n, end: n });
  return tokens;
}

const NUMBER = /^(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)/;
const DURATION_TOKEN = /^(?:\d+(?:ms|[smhdwy]))+/;

function lexNumberOrDuration(input: string, start: number, tokens: Token[]): number {
  const rest = input.slice(start, start + 400);
  const num = NUMBER.exec(rest)![0];
  const afterNum = input.charCodeAt(start + num.length);
  // A number is complete only if no name character or dot follows it (`0deadbeef`, `2.5.`).
  if (!isAlnum(afterNum) && afterNum !== 46) {
    tokens.push({ kind: 'number', text: num, start, end: start + num.length });
    return start + num.length;
  }
  const dur = DURATION_TOKEN.exec(rest)?.[0];
  if (dur !== undefined) {
    const after = input.charCodeAt(start + dur.length);
    if (!isAlnum(after) && after !== 46) {
      if (parseDuration(dur) === undefined) {
        throw new LexError(`not a valid duration string: ${JSON.stringify(dur)}`, start, start + dur.length);
      }
      tokens.push({ kind: 'duration', text: dur, start, end: start + dur.length });
      return start + dur.length;
    }
  }
  let end = start + num.length;
  while (end < input.length && (isAlnum(input.charCodeAt(end)) || input.charCodeAt(end) === 46)) end++;
  throw new LexError(`bad number or duration syntax: ${JSON.stringify(input.slice(start, end))}`, start, end);
}

function lexString(input: string, start: number, tokens: Token[]): number {
  const q = input[start]!;
  let i = start + 1;
  while (i < input.length) {
    const ch = input[i]!;
    if (ch === q) {
      tokens.push({ kind: 'string', text: input.slice(start, i + 1), start, end: i + 1 });
      return i + 1;
    }
    if (q !== '`') {
      if (ch === '\n') break;
      if (ch === '\\') i++;
    }
    i++;
  }
  const what = q === '`' ? 'raw string' : 'quoted string';
  throw new LexError(`unterminated ${what}`, start, input.length);
}
