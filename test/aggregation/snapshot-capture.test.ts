import { describe, expect, it } from 'vitest';
import type { AggregationSnapshot } from '../../host/aggregation/stream-aggregation.js';
import { DEFAULT_TENANT } from '../../host/batch/tenant.js';
import { createSeriesIndex } from '../../host/series/create-series-index.js';
import { labelsFromRecord } from '../../host/series/labels.js';
import { MapSeriesIndex } from '../../host/series/map-series-index.js';
import { Harness, M, S, T0, type Row } from './harness.js';

const RULE = { match: 'req_total', interval: '1m', by: ['job'], outputs: ['total', 'count_samples', 'max'], ignore_first_sample_interval: '0s' };
/** More series than one capture step names, so a capture takes several steps. */
const N = 4500;
const series = (i: number) => ({ __name__: 'req_total', job: `j${i % 3}`, instance: `i${i}` });
const rows = (at: number, value: (i: number) => number, from = 0, to = N): Row[] => Array.from({ length: to - from }, (_, k) => [series(from + k), at, value(from + k)]);

const sumOfJob = (j: number) => Array.from({ length: N }, (_, i) => i).filter((i) => i % 3 === j).reduce((a, b) => a + b, 0);

/** Runs a capture to its end, calling `between(step)` after each step: what happens meanwhile. */
function finish(h: Harness, now: number, between: (step: number) => void): { snapshot: AggregationSnapshot; steps: number } {
  const steps = h.agg.capture(now);
  for (let step = 1; ; step++) {
    const r = steps.next();
    if (r.done) return { snapshot: r.value, steps: step };
    between(step);
  }
}

describe('a stream aggregation snapshot taken in steps', () => {
  it('holds the state of the instant it was taken, though samples, new series and a flush arrive between its steps', async () => {
    const h = await Harness.create([RULE]);
    h.now = T0 + 20 * S;
    h.push(rows(T0 + 15 * S, (i) => i));
    const atCapture = structuredClone(h.agg.snapshot(h.now));
    const { snapshot, steps } = finish(h, h.now, (step) => {
      h.now += S;
      h.push(rows(h.now, (i) => i + 100 * step, (step * 500) % N, ((step * 500) % N) + 500));
      h.push([[{ __name__: 'req_total', job: 'j9', instance: `new${step}` }, h.now, step]]);
      if (step === 2) h.tickAt(T0 + M);
    });
    expect(steps).toBeGreaterThan(3);
    expect(h.result()['req_total:1m_by_job_total{job="j0"}']).toBeDefined(); // the flush did run meanwhile
    expect(snapshot).toEqual(atCapture);

    // Restored into another process, the interval continues from the captured values only.
    const restored = await Harness.create([RULE], { series: new MapSeriesIndex(), now: T0 + 40 * S });
    restored.series.resolve(DEFAULT_TENANT, labelsFromRecord({ __name__: 'unrelated' }));
    expect(restored.agg.restore(structuredClone(snapshot), restored.now)).toBe(1);
    restored.push(rows(T0 + 45 * S, (i) => i + 5));
    restored.tickAt(T0 + M);
    expect(restored.result()).toEqual({
      'req_total:1m_by_job_total{job="j0"}': [[M, sumOfJob(0) + 5 * (N / 3)]],
      'req_total:1m_by_job_total{job="j1"}': [[M, sumOfJob(1) + 5 * (N / 3)]],
      'req_total:1m_by_job_total{job="j2"}': [[M, sumOfJob(2) + 5 * (N / 3)]],
      'req_total:1m_by_job_count_samples{job="j0"}': [[M, 2 * (N / 3)]],
      'req_total:1m_by_job_count_samples{job="j1"}': [[M, 2 * (N / 3)]],
      'req_total:1m_by_job_count_samples{job="j2"}': [[M, 2 * (N / 3)]],
      'req_total:1m_by_job_max{job="j0"}': [[M, N - 3 + 5]],
      'req_total:1m_by_job_max{job="j1"}': [[M, N - 2 + 5]],
      'req_total:1m_by_job_max{job="j2"}': [[M, N - 1 + 5]],
    });
  });

  describe.each(['reference', 'wasm'] as const)('on the %s series index', (implementation) => {
    it('leaves out a series deleted before its key was read, not mistaking the next owner of its ref for it', async () => {
      const h = await Harness.create([RULE], { series: await createSeriesIndex({ implementation }) });
      h.now = T0 + 20 * S;
      h.push(rows(T0 + 15 * S, (i) => i));
      const gone = h.series.resolve(DEFAULT_TENANT, labelsFromRecord(series(N - 3)));
      const newcomer = { __name__: 'req_total', job: 'j0', instance: 'newcomer' };
      const { snapshot } = finish(h, h.now, (step) => {
        if (step !== 1) return;
        h.series.delete([gone]);
        h.series.compact();
        expect(h.series.resolve(DEFAULT_TENANT, labelsFromRecord(newcomer))).toBe(gone);
      });

      // The live aggregation and one restored from the snapshot agree on what follows: both count
      // the deleted series and the newcomer as new, and continue every other series.
      const restored = await Harness.create([RULE], { series: await createSeriesIndex({ implementation }), now: h.now });
      restored.series.resolve(DEFAULT_TENANT, labelsFromRecord({ __name__: 'unrelated' }));
      restored.agg.restore(structuredClone(snapshot), h.now);
      for (const x of [h, restored]) {
        x.push([...rows(T0 + 45 * S, (i) => i + 5), [newcomer, T0 + 45 * S, 10_000]]);
        x.tickAt(T0 + M);
      }
      expect(restored.result()).toEqual(h.result());
      // j0: every series' first value, +5 for each but the deleted one, which comes back whole as
      // a new series (N - 3 + 5), as does the newcomer. Had the snapshot named the newcomer in the
      // deleted series' place, it would continue from that counter: 10000 - (N - 3), not 10000.
      expect(restored.result()['req_total:1m_by_job_total{job="j0"}']).toEqual([[M, sumOfJob(0) + 5 * (N / 3 - 1) + (N - 3 + 5) + 10_000]]);
    });
  });
});
