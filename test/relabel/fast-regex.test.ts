import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { captureGroups } from '../../host/relabel/expand.js';
import { toFastRegex } from '../../host/relabel/fast-regex.js';
import { compileAnchored } from '../../host/series/matcher.js';

/** Patterns from the grammar the fast path accepts (the refused shapes are tested below). */
const pattern: fc.Arbitrary<string> = fc.letrec<{ re: string; seq: string; atom: string }>((tie) => ({
  re: fc.oneof({ depthSize: 'small', withCrossShrink: true }, tie('seq'), fc.tuple(tie('seq'), tie('seq')).map(([a, b]) => `${a}|${b}`)),
  seq: fc.array(tie('atom'), { minLength: 1, maxLength: 4 }).map((a) => a.join('')),
  atom: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom('a', 'b', ':', '-', '\\.', '.', '\\d', '\\w', '\\s', '\\S', '[ab]', '[^a]', '[a-c\\d]', '[\\s:]', '^', '$', 'é', '{', '}'),
    fc.tuple(fc.constantFrom('a', 'b', '.', '\\d', '[ab]'), fc.constantFrom('*', '+', '?', '*?', '+?', '{1,2}', '{2}')).map(([a, q]) => a + q),
    tie('re').map((r) => `(${r})`),
    tie('re').map((r) => `(?:${r})`),
    tie('re').map((r) => `(?P<n>${r})`),
  ),
})).re.map((p) => {
  // Group names must be unique in both engines.
  let n = 0;
  return p.replace(/\(\?P<n>/g, () => `(?P<n${n++}>`);
});

const input = fc.string({ unit: fc.constantFrom('a', 'b', ':', '-', '.', '1', '2', ' ', '\n', '\t', 'é', '😀'), maxLength: 10 });

describe('fast regex path', () => {
  it('agrees with re2js on matches and capture groups for every pattern it accepts', () => {
    let accepted = 0;
    fc.assert(
      fc.property(pattern, fc.array(input, { minLength: 1, maxLength: 8 }), (p, inputs) => {
        const fast = toFastRegex(p);
        if (fast === undefined) return;
        accepted++;
        const re2 = compileAnchored(p);
        for (const s of inputs) {
          const m = re2.matcher(s);
          const want = m.matches() ? captureGroups(m) : null;
          const got = fast.exec(s);
          expect(got === null ? null : Array.from(got, (x) => x ?? null), `${p} on ${JSON.stringify(s)}`).toEqual(want);
        }
      }),
      { numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(2000);
  });

  it('takes the patterns relabel configs are made of', () => {
    for (const p of ['([^:]+):\\d+', 'go_(gc|memstats)_.*|process_.*', '__meta_kubernetes_pod_label_(.+)', '(?P<code>\\d)\\d\\d', 'a{2,3}|b?']) {
      expect(toFastRegex(p), p).toBeDefined();
    }
  });

  it('refuses quantified groups, flags and classes whose meaning differs between the engines', () => {
    for (const p of ['(a+)+', '(a|aa)*', '(?i)abc', '[[:alpha:]]', '\\pL', '\\bword', '[]a]', '\\Qa.b\\E', 'a**', '($)?', '(ab)?']) {
      expect(toFastRegex(p), p).toBeUndefined();
    }
  });
});
