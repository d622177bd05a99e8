import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { STALE_NAN } from '../../host/batch/stale.js';
import { ReferenceStreamAggregator } from '../../host/kernels/stream-aggregator-reference.js';
import { WasmStreamAggregator } from '../../host/kernels/stream-aggregator-wasm.js';
import {
  FEATURE_COUNTERS, FEATURE_DEDUP, FEATURE_HISTOGRAM, FEATURE_QUANTILES, FEATURE_RATE, FEATURE_SERIES, FEATURE_VARIANCE,
  GROUP_FIELDS, NO_MATCH, type StreamAggregator,
} from '../../host/kernels/stream-aggregator.js';

const REFS = 40;
const GROUPS = 5;
const RINGS = 3;

const value = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: -5, max: 200 }).map((n) => n / 4) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, STALE_NAN, 0, 1e-12, 1e20) },
);
const row = fc.tuple(fc.integer({ min: 0, max: REFS - 1 }), value, fc.integer({ min: 0, max: 9_000 }));
const step = fc.record({
  rows: fc.array(row, { maxLength: 200 }),
  action: fc.constantFrom('none', 'dedup', 'close'),
});
const flagsArb = fc.subarray([FEATURE_COUNTERS, FEATURE_RATE, FEATURE_SERIES, FEATURE_DEDUP, FEATURE_QUANTILES, FEATURE_HISTOGRAM, FEATURE_VARIANCE]);

/** Classifies refs the same way for both: every 7th ref is not matched, others map to ref % 17 slots. */
function classify(agg: StreamAggregator, refs: number[]): void {
  agg.ensureSlots(17);
  const table = agg.refTable();
  const slots = agg.slots();
  for (const r of refs) {
    if (r % 7 === 3) table[r] = NO_MATCH;
    else {
      const slot = r % 17;
      table[r] = slot + 1;
      slots.group[slot] = slot % GROUPS;
    }
  }
}

function setup(agg: StreamAggregator, flags: number, eventTime: boolean, reservoir: number): void {
  agg.configure(flags);
  agg.setReservoirMax(reservoir);
  agg.setHistogramBounds(Float64Array.from([1e-9, 1, 10, 25, 50, 1e18]));
  agg.setWindow({ eventTime, intervalMs: 1000, rings: RINGS, oldestWindow: 2, newestWindow: 4, minTs: eventTime ? -Infinity : 500, ignoreFirstSample: false });
  agg.ensureRefs(REFS);
  agg.ensureSlots(17);
  agg.ensureGroups(GROUPS * RINGS);
}

function run(agg: StreamAggregator, steps: { rows: [number, number, number][]; action: string }[]): unknown[] {
  const trace: unknown[] = [];
  for (const { rows, action } of steps) {
    const refs = Uint32Array.from(rows.map((r) => r[0]));
    const values = Float64Array.from(rows.map((r) => r[1]));
    const ts = Float64Array.from(rows.map((r) => r[2]));
    const out = new Uint32Array(rows.length);
    const n = agg.update(refs, values, ts, rows.length, out);
    const unknown = Array.from(out.subarray(0, n)).filter((r) => r < 0x80000000);
    trace.push(Array.from(out.subarray(0, n)));
    if (unknown.length > 0) {
      classify(agg, unknown.map((r) => refs[r]!));
      const pick = (a: Uint32Array | Float64Array) => unknown.map((r) => a[r]!);
      const n2 = agg.update(Uint32Array.from(pick(refs)), Float64Array.from(pick(values)), Float64Array.from(pick(ts)), unknown.length, out);
      trace.push(Array.from(out.subarray(0, n2)));
    }
    if (action === 'dedup') agg.dedupFlush(17);
    if (action === 'close') agg.closeWindow(rows.length % RINGS, 17);
  }
  agg.dedupFlush(17);
  for (let r = 0; r < RINGS; r++) agg.closeWindow(r, 17);
  const groups = agg.groups();
  for (const f of GROUP_FIELDS) trace.push(f, Array.from(groups[f].subarray(0, GROUPS * RINGS)));
  for (let g = 0; g < GROUPS * RINGS; g++) trace.push(Array.from(agg.reservoir(g)).sort((a, b) => a - b), agg.histogram(g) && Array.from(agg.histogram(g)!));
  for (let g = 0; g < GROUPS * RINGS; g++) for (const phi of [0, 0.25, 0.5, 0.99, 1]) trace.push(agg.quantile(g, phi));
  trace.push(Array.from(agg.takeStats()));
  const slots = agg.slots();
  for (const [k, v] of Object.entries(slots)) trace.push(k, Array.from((v as Float64Array).subarray(0, 17)));
  return trace;
}

describe.each(['simd', 'scalar'] as const)('stream aggregation kernel (%s build)', (variant) => {
  it('matches the TypeScript reference on random streams, flags, windows and dedup', async () => {
    await fc.assert(
      fc.asyncProperty(flagsArb, fc.boolean(), fc.integer({ min: 1, max: 40 }), fc.array(step, { maxLength: 6 }), async (flagList, eventTime, reservoir, steps) => {
        const flags = flagList.reduce((a, b) => a | b, 0);
        const wasm = await WasmStreamAggregator.create({ variant });
        const ref = new ReferenceStreamAggregator();
        setup(wasm, flags, eventTime, reservoir);
        setup(ref, flags, eventTime, reservoir);
        const typed = steps as { rows: [number, number, number][]; action: string }[];
        expect(run(wasm, typed)).toEqual(run(ref, typed));
      }),
      { numRuns: 80 },
    );
  });

  it('keeps per-series state across growth of refs, slots and groups', async () => {
    const agg = await WasmStreamAggregator.create({ variant });
    setup(agg, FEATURE_COUNTERS, false, 10);
    classify(agg, [1]);
    const out = new Uint32Array(1);
    agg.update(Uint32Array.of(1), Float64Array.of(5), Float64Array.of(1000), 1, out);
    agg.ensureRefs(3_000_000);
    agg.ensureSlots(1_000_000);
    agg.ensureGroups(100_000);
    agg.update(Uint32Array.of(1), Float64Array.of(8), Float64Array.of(2000), 1, out);
    expect(agg.groups().incAll[1 * RINGS]).toBe(8); // group 1, ring 0
    expect(agg.groups().incProm[1 * RINGS]).toBe(3);
    expect(agg.slots().lastV![1]).toBe(8);
  });
});
