import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { STALE_NAN } from '../../host/batch/stale.js';
import { Harness, M, S, T0, type Row } from './harness.js';

const OUTPUTS = [
  'total', 'total_prometheus', 'increase', 'increase_prometheus', 'rate_sum', 'rate_avg', 'count_samples', 'count_series',
  'unique_samples', 'sum_samples', 'sum_samples_total', 'last', 'min', 'max', 'avg', 'stddev', 'stdvar', 'quantiles(0, 0.5, 0.9, 1)', 'histogram_bucket',
];

const value = fc.oneof(
  { weight: 10, arbitrary: fc.integer({ min: 0, max: 400 }).map((n) => n / 4) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, STALE_NAN, 0) },
);
const sample = fc.tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 59_999 }), value);
const minute = fc.array(sample, { maxLength: 60 });

describe('every output on the kernel and on the TypeScript reference', () => {
  it('gives identical results on random streams with resets, NaN, stale markers, gaps and dedup', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(minute, { minLength: 1, maxLength: 4 }), fc.boolean(), fc.boolean(), async (minutes, dedup, eventTime) => {
        const rule = {
          interval: '1m',
          by: ['job'],
          outputs: OUTPUTS,
          ignore_first_sample_interval: '0s',
          staleness_interval: '2m',
          quantile_reservoir: 16,
          ...(dedup ? { dedup_interval: '30s' } : {}),
          ...(eventTime ? { event_time: true, allowed_lateness: '30s' } : {}),
        };
        const run = async (mode: 'auto' | 'reference') => {
          const h = await Harness.create([rule], { mode });
          minutes.forEach((rows, m) => {
            const batch: Row[] = rows.map(([s, t, v]) => [{ __name__: 'x', job: `j${s % 2}`, instance: `i${s}` }, T0 + m * M + t - (eventTime ? 20 * S : 0), v]);
            h.now = T0 + m * M + 59 * S;
            h.push(batch);
            h.tickAt(T0 + (m + 1) * M + (eventTime ? 30 * S : 0));
          });
          h.tickAt(T0 + (minutes.length + 1) * M + 30 * S);
          return h.result();
        };
        const wasm = await run('auto');
        expect(wasm).toEqual(await run('reference'));
        const numeric = minutes.flat().filter(([, , v]) => !Number.isNaN(v)).length;
        // In event time the first minute's samples may all be late for the first open window.
        if (numeric > 0 && !eventTime) expect(wasm['x:1m_by_job_count_samples{job="j0"}'] ?? wasm['x:1m_by_job_count_samples{job="j1"}']).toBeDefined();
      }),
      { numRuns: 40 },
    );
  });
});
