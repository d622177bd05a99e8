import { RE2JS } from 're2js';

export type MatchType = '=' | '!=' | '=~' | '!~';

/** A label matcher as in PromQL selectors and relabel `if:` filters. */
export interface Matcher {
  readonly name: string;
  readonly type: MatchType;
  readonly value: string;
}

/** A matcher ready to test values: regexes compiled once, fully anchored, in RE2 semantics. */
export interface CompiledMatcher extends Matcher {
  matches(value: string): boolean;
}

/**
 * Compiles a matcher. Regexes are anchored like Prometheus's (`^(?:re)$`) and run on re2js, a
 * linear-time engine, so user-supplied patterns cannot backtrack catastrophically.
 * Throws SyntaxError for an invalid regex.
 */
export function compileMatcher(m: Matcher): CompiledMatcher {
  switch (m.type) {
    case '=':
      return { ...m, matches: (v) => v === m.value };
    case '!=':
      return { ...m, matches: (v) => v !== m.value };
    case '=~':
    case '!~': {
      const re = compileAnchored(m.value);
      const negate = m.type === '!~';
      return { ...m, matches: (v) => re.matches(v) !== negate };
    }
  }
}

/** A fully anchored RE2 regex: what Prometheus does to every label regex. */
export function compileAnchored(pattern: string): RE2JS {
  try {
    return RE2JS.compile(`^(?:${pattern})$`, RE2JS.DOTALL);
  } catch (err) {
    throw new SyntaxError(`invalid regex ${JSON.stringify(pattern)}: ${(err as Error).message}`);
  }
}

/** Whether a label set (missing labels read as "") satisfies every matcher. */
export function matchesAll(matchers: readonly CompiledMatcher[], get: (name: string) => string | undefined): boolean {
  for (const m of matchers) if (!m.matches(get(m.name) ?? '')) return false;
  return true;
}
