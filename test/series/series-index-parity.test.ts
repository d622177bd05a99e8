import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ReferenceSeriesIndex } from '../../host/series/reference-series-index.js';
import type { SeriesIndex } from '../../host/series/series-index.js';
import { encodeSeriesKey } from '../../host/series/series-key.js';
import { WasmSeriesIndex } from '../../host/series/wasm-series-index.js';
import { NAMES, op, TENANTS, type Op } from './arbitraries.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-series-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Applies one op to an index and returns everything observable about its result. */
function apply(index: SeriesIndex, o: Op, live: number[]): unknown {
  switch (o.kind) {
    case 'resolve': {
      const key = encodeSeriesKey(o.labels);
      // Alternate the three entry points so all of them are held to the reference.
      const ref =
        key.length % 3 === 0
          ? index.resolve(TENANTS[o.tenant]!, o.labels)
          : key.length % 3 === 1
            ? index.resolveKey(TENANTS[o.tenant]!, Uint8Array.of(...key, 0xff, 0xff), key.length)
            : (index.scratch(key.length).set(key), index.resolveScratch(TENANTS[o.tenant]!, key.length));
      if (!live.includes(ref)) live.push(ref);
      return { ref, tsid: index.tsid(ref), key: Array.from(index.key(ref)), labels: index.labels(ref), tenant: index.tenant(ref), size: index.size };
    }
    case 'batch': {
      // Keys back to back in scratch from offset 3, duplicates included, as a decoder writes them.
      const keys = o.sets.map(encodeSeriesKey);
      const offsets = new Uint32Array(keys.length + 1);
      offsets[0] = 3;
      keys.forEach((k, i) => (offsets[i + 1] = offsets[i]! + k.length));
      const scratch = index.scratch(offsets[keys.length]!);
      keys.forEach((k, i) => scratch.set(k, offsets[i]!));
      const out = new Uint32Array(keys.length);
      index.resolveScratchBatch(TENANTS[o.tenant]!, offsets, keys.length, out);
      for (const ref of out) if (!live.includes(ref)) live.push(ref);
      return { refs: Array.from(out), tsids: Array.from(out, (r) => index.tsid(r)), size: index.size };
    }
    case 'delete': {
      const refs = o.picks.map((p) => live[p % Math.max(1, live.length)] ?? 0);
      const n = index.delete(refs);
      return { n, size: index.size, alive: refs.map((r) => index.has(r)) };
    }
    case 'compact':
      index.compact();
      return index.size;
    case 'select':
      return Array.from(index.select(TENANTS[o.tenant]!, o.matchers));
  }
}

/** Everything the query side can see of the whole index. */
function observe(index: SeriesIndex): unknown {
  return TENANTS.map((t) => ({
    names: index.labelNames(t),
    values: NAMES.map((n) => index.labelValues(t, n, { limit: 5 })),
    jobValuesOfUp: index.labelValues(t, 'job', { matchers: [{ name: '__name__', type: '=', value: 'up' }] }),
    series: index.series(t, [{ name: '__name__', type: '=~', value: '.*' }], { limit: 50 }),
    cardinality: index.cardinality(t),
    top: index.topMetrics(t, 3),
  }));
}

describe.each([
  ['simd', 0xffffffff],
  ['scalar', 0xffffffff],
  ['simd', 0x3],
  ['scalar', 0],
] as const)('series index kernel (%s build, hash mask %s)', (variant, hashMask) => {
  const collide = hashMask !== 0xffffffff ? ' with colliding hashes' : '';
  it(`matches the reference on random resolves, deletions, purges and selects${collide}, and after reload from disk`, async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 120 }), fc.integer({ min: 1, max: 6 }), async (ops, purgeThreshold) => {
        const now = () => 1_000_000;
        const wasm = await WasmSeriesIndex.create({ variant, hashMask, capacity: 4, purgeThreshold, now });
        const ref = new ReferenceSeriesIndex({ purgeThreshold, now });
        const liveW: number[] = [];
        const liveR: number[] = [];
        for (const o of ops) expect(apply(wasm, o, liveW)).toEqual(apply(ref, o, liveR));
        expect(observe(wasm)).toEqual(observe(ref));

        // Save each, load into a fresh index of the other kind: same refs, TSIDs and answers.
        const file = join(dir, `${variant}-${hashMask}-${run++}`);
        await wasm.save(`${file}.w`);
        await ref.save(`${file}.r`);
        const wasm2 = await WasmSeriesIndex.create({ variant, hashMask, now, purgeThreshold });
        const ref2 = new ReferenceSeriesIndex({ now, purgeThreshold });
        await wasm2.load(`${file}.r`);
        await ref2.load(`${file}.w`);
        for (const r of liveR.filter((x) => ref.has(x))) {
          expect(wasm2.tsid(r)).toEqual(ref.tsid(r));
          expect(ref2.labels(r)).toEqual(ref.labels(r));
        }
        expect(wasm2.size).toBe(ref.size);
        const again = ops.filter((o) => o.kind !== 'delete').slice(0, 30);
        for (const o of again) expect(apply(wasm2, o, [])).toEqual(apply(ref2, o, []));
      }),
      { numRuns: hashMask === 0 ? 15 : 40 },
    );
  });
});
