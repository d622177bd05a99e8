import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReferenceGroupAggregator } from '../../host/kernels/group-aggregator-reference.js';
import { WasmGroupAggregator } from '../../host/kernels/group-aggregator-wasm.js';
import type { AggregateState, GroupAggregator } from '../../host/kernels/group-aggregator.js';
import { KernelError } from '../../host/errors.js';
import { STALE_NAN } from '../../host/batch/stale.js';

const FIELDS: (keyof AggregateState)[] = ['sum', 'count', 'min', 'max', 'last', 'lastTs'];

const value = fc.oneof(
  { weight: 8, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, STALE_NAN, Infinity, -Infinity, 0, -0) },
);

const batch = (groups: number) =>
  fc.array(fc.tuple(fc.integer({ min: 0, max: groups - 1 }), value, fc.integer({ min: 0, max: 50 })), { maxLength: 300 });

function feed(agg: GroupAggregator, rows: [number, number, number][]): number {
  const g = Uint32Array.from(rows.map((r) => r[0]));
  const v = Float64Array.from(rows.map((r) => r[1]));
  const t = Float64Array.from(rows.map((r) => r[2]));
  return agg.update(g, v, t, rows.length);
}

function snapshot(agg: GroupAggregator, groups: number): Record<string, number[]> {
  const s = agg.state();
  return Object.fromEntries(FIELDS.map((f) => [f, Array.from(s[f].subarray(0, groups))]));
}

describe.each(['simd', 'scalar'] as const)('aggregate kernel (%s build)', (variant) => {
  it('matches the TypeScript reference on random batches, resets and growth', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 3000 }), fc.array(fc.tuple(batch(3000), fc.boolean()), { maxLength: 6 }), async (groups, steps) => {
        const wasm = await WasmGroupAggregator.create({ variant });
        const ref = new ReferenceGroupAggregator();
        wasm.ensureGroups(groups);
        ref.ensureGroups(groups);
        for (const [rows, resetAfter] of steps) {
          const inRange = rows.filter((r) => r[0] < groups) as [number, number, number][];
          expect(feed(wasm, inRange)).toBe(feed(ref, inRange));
          if (resetAfter) {
            wasm.reset(0, Math.floor(groups / 2));
            ref.reset(0, Math.floor(groups / 2));
          }
        }
        expect(snapshot(wasm, groups)).toEqual(snapshot(ref, groups));
      }),
      { numRuns: 60 },
    );
  });

  it('reports which build it is', async () => {
    const agg = await WasmGroupAggregator.create({ variant });
    expect(agg.implementation).toBe(`wasm-${variant}`);
  });

  it('keeps state across memory growth', async () => {
    const agg = await WasmGroupAggregator.create({ variant });
    agg.ensureGroups(10);
    feed(agg, [[3, 5, 1]]);
    const before = agg.state();
    agg.ensureGroups(4_000_000); // far past the initial memory: forces memory.grow
    const after = agg.state();
    expect(before.sum.byteLength).toBe(0); // the old view was detached by memory.grow
    expect(after.sum[3]).toBe(5);
    expect(after.count[3]).toBe(1);
    expect(after.count[3_999_999]).toBe(0);
  });

  it('turns an out-of-range group into a typed error instead of corrupting memory', async () => {
    const agg = await WasmGroupAggregator.create({ variant });
    agg.ensureGroups(4);
    expect(() => feed(agg, [[1_000_000, 1, 1]])).toThrow(KernelError);
  });
});

describe('aggregate kernel semantics', () => {
  it('last prefers the later timestamp and, on a tie, the larger value', () => {
    const agg = new ReferenceGroupAggregator();
    agg.ensureGroups(1);
    feed(agg, [
      [0, 7, 10],
      [0, 3, 5],
      [0, 9, 10],
      [0, 8, 10],
    ]);
    expect(agg.state().last[0]).toBe(9);
    expect(agg.state().lastTs[0]).toBe(10);
  });

  it('skips stale markers and NaN without touching the state', () => {
    const agg = new ReferenceGroupAggregator();
    agg.ensureGroups(1);
    expect(feed(agg, [[0, STALE_NAN, 1], [0, NaN, 2], [0, 4, 3]])).toBe(2);
    expect(agg.state().count[0]).toBe(1);
    expect(agg.state().sum[0]).toBe(4);
  });
});
