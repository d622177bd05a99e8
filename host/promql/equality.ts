/**
 * Structural equality of syntax trees: same shape and values, ignoring source positions.
 *
 * Label matchers compare as a set: `{a="1",b="2"}` and `{b="2",a="1"}` select the same series,
 * and the canonical printer sorts them, so a tree and its reprint must compare equal. Numbers
 * compare with `Object.is`, so NaN equals NaN and -0 differs from 0 (Prometheus prints `-0`).
 */
import type { Expr, Matcher } from './ast.js';

export function exprEqual(a: Expr, b: Expr): boolean {
  return deepEqual(a, b);
}

function matcherKey(m: Matcher): string {
  return `${m.name}\u0000${m.op}\u0000${m.value}`;
}

function sortedMatchers(ms: Matcher[]): string[] {
  return ms.map(matcherKey).sort();
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b);
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ra), ...Object.keys(rb)]);
  for (const k of keys) {
    if (k === 'pos') continue;
    const va = ra[k];
    const vb = rb[k];
    // An absent optional field and one set to undefined or false mean the same.
    if (!va && !vb && va !== 0 && vb !== 0 && va !== '' && vb !== '') continue;
    if (k === 'matchers' && ra.type === 'VectorSelector') {
      const sa = sortedMatchers(va as Matcher[]);
      const sb = sortedMatchers(vb as Matcher[]);
      if (!deepEqual(sa, sb)) return false;
      continue;
    }
    if (!deepEqual(va, vb)) return false;
  }
  return true;
}
