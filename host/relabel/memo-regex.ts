import { RE2JS } from 're2js';
import { compileAnchored } from '../series/matcher.js';
import { captureGroups } from './expand.js';
import { FAST_REGEX_MAX_INPUT, toFastRegex } from './fast-regex.js';

/** Entries per memo before it starts over: bounded memory whatever the label cardinality. */
const MEMO_LIMIT = 8192;

/**
 * An RE2 regex (re2js: linear time, RE2 syntax) with the answers for recent inputs remembered.
 * Relabeling asks the same questions over and over on first sight of series: the same label names
 * to labelmap/labeldrop, the same metric names to keep/drop, the same status codes to rewrite;
 * re2js takes about a microsecond per match and several with capture groups, a Map lookup far less.
 */
export class MemoRegex {
  readonly re: RE2JS;
  readonly names: Readonly<Record<string, number>>;
  /** V8's engine where it provably agrees with RE2 (fast-regex.ts); anchored patterns only. */
  readonly #fast: RegExp | undefined;
  #matches = new Map<string, boolean>();
  #groups = new Map<string, (string | null)[] | null>();

  /** Anchored like every Prometheus label regex, unless `anchored` is false (replace_all). */
  constructor(pattern: string, anchored = true) {
    this.re = anchored ? compileAnchored(pattern) : RE2JS.compile(pattern);
    this.names = this.re.namedGroups();
    this.#fast = anchored ? toFastRegex(pattern) : undefined;
  }

  matches(input: string): boolean {
    let m = this.#matches.get(input);
    if (m === undefined) {
      m = this.#fast && input.length <= FAST_REGEX_MAX_INPUT ? this.#fast.test(input) : this.re.matches(input);
      remember(this.#matches, input, m);
    }
    return m;
  }

  /** The capture groups of a full match, or null when it does not match. */
  groups(input: string): (string | null)[] | null {
    let g = this.#groups.get(input);
    if (g === undefined) {
      if (this.#fast && input.length <= FAST_REGEX_MAX_INPUT) {
        const m = this.#fast.exec(input);
        g = m === null ? null : Array.from(m, (x) => x ?? null);
      } else if (!this.matches(input)) {
        // The plain match is much cheaper than re2js' submatch engine; most inputs fail it.
        g = null;
      } else {
        const m = this.re.matcher(input);
        g = m.matches() ? captureGroups(m) : null;
      }
      remember(this.#groups, input, g);
    }
    return g;
  }
}

/** Memoises a pure function of a string, with the same bound. */
export function memoize<T>(fn: (input: string) => T): (input: string) => T {
  const memo = new Map<string, T>();
  return (input) => {
    if (memo.has(input)) return memo.get(input)!;
    const v = fn(input);
    remember(memo, input, v);
    return v;
  };
}

function remember<T>(memo: Map<string, T>, key: string, value: T): void {
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(key, value);
}
