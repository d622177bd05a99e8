import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadSeriesKernel, type SeriesKernel } from '../../host/series/series-kernel.js';

const sorted = fc.uniqueArray(fc.nat(5000), { maxLength: 400 }).map((a) => a.sort((x, y) => x - y));

function put(k: SeriesKernel, values: number[]): number {
  const p = k.exports.alloc(Math.max(4, values.length * 4)) >>> 0;
  k.views().u32.set(values, p >>> 2);
  return p;
}

function run(k: SeriesKernel, op: 'intersect' | 'union' | 'difference', a: number[], b: number[]): number[] {
  const pa = put(k, a);
  const pb = put(k, b);
  const out = k.exports.alloc((a.length + b.length) * 4 + 4) >>> 0;
  const n = k.exports[op](pa, a.length, pb, b.length, out);
  return Array.from(k.views().u32.subarray(out >>> 2, (out >>> 2) + n));
}

describe.each(['simd', 'scalar'] as const)('postings set kernels (%s build)', (variant) => {
  it('intersect, union, difference and union of many agree with plain set algebra on sorted lists', async () => {
    const k = await loadSeriesKernel({ variant, purgeThreshold: 1 });
    fc.assert(
      fc.property(sorted, sorted, fc.array(sorted, { maxLength: 6 }), (a, b, many) => {
        const setB = new Set(b);
        expect(run(k, 'intersect', a, b)).toEqual(a.filter((x) => setB.has(x)));
        expect(run(k, 'union', a, b)).toEqual([...new Set([...a, ...b])].sort((x, y) => x - y));
        expect(run(k, 'difference', a, b)).toEqual(a.filter((x) => !setB.has(x)));
        expect(k.exports.intersects_(put(k, a), a.length, put(k, b), b.length) === 1).toBe(a.some((x) => setB.has(x)));
        const table = put(k, many.flatMap((l) => [put(k, l), l.length]));
        const out = k.exports.alloc(5001 * 4) >>> 0;
        const n = k.exports.union_many(table, many.length, 5001, out);
        expect(Array.from(k.views().u32.subarray(out >>> 2, (out >>> 2) + n))).toEqual([...new Set(many.flat())].sort((x, y) => x - y));
      }),
      { numRuns: 200 },
    );
  });
});
