/**
 * A JavaScript RegExp equivalent to an RE2 pattern, for the patterns where the two provably agree
 * and backtracking stays bounded; undefined for every other pattern, which then runs on re2js.
 *
 * Why: re2js takes ~5 µs per match on a short label value and more with capture groups, V8's
 * engine ~0.1 µs, and first sight of a series runs a dozen of these. re2js stays the authority:
 * the subset is literals, `.`, `\d \w \s` and their negations (ASCII in both; `\s` spelled out,
 * since JavaScript's is Unicode), simple character classes, groups (`(?P<name>` renamed), the
 * quantifiers `* + ? {n,m}` (and lazy forms) on single atoms, alternation and anchors.
 * Quantified groups (`(a+)+`, `(a|a)*`, even `(x)?`) are refused: nesting is what makes
 * backtracking exponential, and JavaScript treats empty iterations differently, as are flags, POSIX and Unicode classes and `\b \A \z`.
 * A parity test on random patterns and inputs holds the two engines to identical answers.
 */
export function toFastRegex(pattern: string): RegExp | undefined {
  const body = translate(pattern);
  if (body === undefined) return undefined;
  try {
    return new RegExp(`^(?:${body})$`, 'su');
  } catch {
    return undefined;
  }
}

/** Inputs longer than this go to re2js: polynomial backtracking stays cheap only on short values. */
export const FAST_REGEX_MAX_INPUT = 512;

const JS_SYNTAX = '^$\\.*+?()[]{}|/';
const WORD_ESCAPES = 'dDwW';
const SPACE = '\\t\\n\\f\\r ';
const REPEAT = /^\{(\d+)(,(\d*))?\}/;

function translate(p: string): string | undefined {
  let out = '';
  let depth = 0;
  // What a quantifier would apply to: nothing, a single atom, a group, or something quantified.
  let last: 'none' | 'atom' | 'group' | 'quantified' = 'none';
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\') {
      const d = p[++i];
      if (d === undefined) return undefined;
      if (WORD_ESCAPES.includes(d)) out += `\\${d}`;
      else if (d === 's') out += `[${SPACE}]`;
      else if (d === 'S') out += `[^${SPACE}]`;
      else if (/[\p{L}\p{N}]/u.test(d)) return undefined;
      else out += escapeLiteral(d);
      last = 'atom';
    } else if (c === '[') {
      const cls = translateClass(p, i);
      if (!cls) return undefined;
      out += cls.text;
      i = cls.end;
      last = 'atom';
    } else if (c === '(') {
      if (p.startsWith('(?:', i)) {
        out += '(?:';
        i += 2;
      } else if (p.startsWith('(?P<', i) || p.startsWith('(?<', i)) {
        const start = p.indexOf('<', i) + 1;
        const close = p.indexOf('>', start);
        const name = p.slice(start, close);
        if (close < 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return undefined;
        out += `(?<${name}>`;
        i = close;
      } else if (p[i + 1] === '?') {
        return undefined;
      } else {
        out += '(';
      }
      depth++;
      last = 'none';
    } else if (c === ')') {
      if (depth-- === 0) return undefined;
      out += ')';
      last = 'group';
    } else if (c === '*' || c === '+' || c === '?' || (c === '{' && REPEAT.test(p.slice(i)))) {
      let q = c;
      if (c === '{') {
        const m = REPEAT.exec(p.slice(i))!;
        if (Number(m[1]) > 1000 || (m[3] && Number(m[3]) > 1000)) return undefined;
        q = m[0];
        i += q.length - 1;
      }
      // Quantifiers only on single atoms: on a group, the engines differ (JavaScript refuses an
      // empty iteration, so `($)?` captures nothing where RE2 captures ""), and nesting them is
      // what makes backtracking exponential.
      if (last !== 'atom') return undefined;
      if (p[i + 1] === '?') {
        q += '?';
        i++;
      }
      out += q;
      last = 'quantified';
    } else if (c === '|' || c === '^' || c === '$') {
      out += c;
      last = 'none';
    } else if (c === '.') {
      out += '.';
      last = 'atom';
    } else {
      out += escapeLiteral(c);
      last = 'atom';
    }
  }
  return depth === 0 ? out : undefined;
}

/** A literal character as JavaScript's `u` mode accepts it (it refuses needless escapes). */
function escapeLiteral(c: string): string {
  return JS_SYNTAX.includes(c) ? `\\${c}` : c;
}

/** `[...]` starting at `start`: its translation and the index of its `]`, or undefined. */
function translateClass(p: string, start: number): { text: string; end: number } | undefined {
  let i = start + 1;
  let text = '[';
  if (p[i] === '^') {
    text += '^';
    i++;
  }
  // RE2 reads a leading `]` as a literal, JavaScript as the end of an empty class.
  if (p[i] === ']') return undefined;
  for (; i < p.length; i++) {
    const c = p[i]!;
    if (c === ']') return { text: `${text}]`, end: i };
    if (c === '[') return undefined;
    if (c === '\\') {
      const d = p[++i];
      if (d === undefined) return undefined;
      if (WORD_ESCAPES.includes(d)) text += `\\${d}`;
      else if (d === 's') text += SPACE;
      else if (/[\p{L}\p{N}]/u.test(d)) return undefined;
      else text += JS_SYNTAX.includes(d) || d === '-' ? `\\${d}` : d;
    } else {
      text += c;
    }
  }
  return undefined;
}
