import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SampleBatch } from '../../host/batch/sample-batch.js';
import { relabelConfigsSchema } from '../../host/relabel/config.js';
import { RelabelEngine } from '../../host/relabel/engine.js';
import { RefRelabeler } from '../../host/relabel/ref-relabeler.js';
import { formatSeries, labelsFromRecord } from '../../host/series/labels.js';
import { MapSeriesIndex } from '../../host/series/map-series-index.js';

const T = { accountId: 0, projectId: 0 };
const rules = relabelConfigsSchema.parse([
  { source_labels: ['k'], regex: '3|7', action: 'drop' },
  { source_labels: ['k'], regex: '(\\d)', target_label: 'k_class', replacement: 'c$1' },
  { regex: 'junk', action: 'labeldrop' },
]);

/**
 * One step of a random workload: a batch of series numbers, deleting some series with their
 * relabeled outputs, or deleting only the outputs (the inputs stay live and cached).
 */
const n = fc.integer({ min: 0, max: 19 });
const step = fc.oneof(
  fc.record({ batch: fc.array(n, { minLength: 1, maxLength: 30 }) }),
  fc.record({ remove: fc.array(n, { minLength: 1, maxLength: 5 }), inputs: fc.boolean() }),
);

describe('cached relabeling', () => {
  it('gives every sample the series relabeling it afresh gives, through deletes and ref reuse', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 25 }), (steps) => {
        const index = new MapSeriesIndex();
        const engine = new RelabelEngine(rules);
        const cached = new RefRelabeler(index, engine);
        const labelsOf = (n: number) => labelsFromRecord({ __name__: 'm', k: String(n % 10), n: String(n), junk: 'x' });
        for (const s of steps) {
          if ('remove' in s) {
            // Deleted refs come back for other series.
            const outputs = s.remove.flatMap((n) => {
              const out = engine.relabel(labelsOf(n));
              return out ? [index.resolve(T, out)] : [];
            });
            const inputs = s.inputs ? s.remove.map((n) => index.resolve(T, labelsOf(n))) : [];
            index.delete([...inputs, ...outputs]);
            index.compact();
            continue;
          }
          const refs = s.batch.map((n) => index.resolve(T, labelsOf(n)));
          const batch: SampleBatch = { tenant: T, length: refs.length, refs: Uint32Array.from(refs), ts: Float64Array.from(refs, (_, i) => i), values: new Float64Array(refs.length) };
          const { batch: out } = cached.rewrite(batch);
          const got = out ? Array.from(out.refs, (r) => formatSeries(index.labels(r))) : [];
          const want = s.batch.flatMap((n) => {
            const l = engine.relabel(labelsOf(n));
            return l ? [formatSeries(l)] : [];
          });
          expect(got).toEqual(want);
        }
        cached.close();
      }),
      { numRuns: 200 },
    );
  });

  it('gives back the batch itself exactly when no row is dropped or renamed', () => {
    // Series 0-4 get a label, 3 and 7 are dropped, the rest pass unchanged.
    const partial = relabelConfigsSchema.parse([
      { source_labels: ['k'], regex: '3|7', action: 'drop' },
      { source_labels: ['k'], regex: '([0-4])', target_label: 'k_class', replacement: 'c$1' },
    ]);
    fc.assert(
      fc.property(fc.array(fc.array(n, { maxLength: 12 }), { minLength: 1, maxLength: 10 }), (batches) => {
        const index = new MapSeriesIndex();
        const engine = new RelabelEngine(partial);
        const cached = new RefRelabeler(index, engine);
        for (const b of batches) {
          const refs = b.map((n) => index.resolve(T, labelsFromRecord({ __name__: 'm', k: String(n % 10) })));
          const batch: SampleBatch = { tenant: T, length: refs.length, refs: Uint32Array.from(refs), ts: Float64Array.from(refs, (_, i) => i), values: Float64Array.from(refs, (_, i) => -i) };
          const { batch: out } = cached.rewrite(batch);
          const unchanged = b.every((n) => n % 10 >= 5 && n % 10 !== 7);
          if (b.length === 0) expect(out).toBeUndefined();
          else if (unchanged) expect(out).toBe(batch);
          else {
            expect(out).not.toBe(batch);
            const kept = b.flatMap((n, i) => (n % 10 === 3 || n % 10 === 7 ? [] : [i]));
            expect(out ? Array.from(out.ts) : []).toEqual(kept);
            expect(out ? Array.from(out.values) : []).toEqual(kept.map((i) => -i));
            expect(out ? Array.from(out.refs, (r) => formatSeries(index.labels(r))) : []).toEqual(kept.map((i) => formatSeries(engine.relabel(index.labels(refs[i]!))!)));
          }
        }
        cached.close();
      }),
      { numRuns: 200 },
    );
  });
});
