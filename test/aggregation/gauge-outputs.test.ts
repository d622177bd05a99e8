import { describe, expect, it } from 'vitest';
import { STALE_NAN } from '../../host/batch/stale.js';
import { Harness, M, S, T0, type Row } from './harness.js';

const a = { __name__: 'temp', job: 'x', instance: 'a' };
const b = { __name__: 'temp', job: 'x', instance: 'b' };

/** One interval of a gauge: NaN, a stale marker, a duplicate timestamp and an out-of-order sample. */
const stream: Row[] = [
  [a, T0 + 10 * S, 4],
  [b, T0 + 12 * S, 10],
  [a, T0 + 20 * S, NaN],
  [a, T0 + 30 * S, 2],
  [a, T0 + 30 * S, 6], // same timestamp as 2: last prefers the larger value
  [b, T0 + 5 * S, 1], // out of order: still a sample for the gauge outputs
  [b, T0 + 40 * S, STALE_NAN],
];

async function run(outputs: string[], rows: Row[] = stream) {
  const h = await Harness.create([{ interval: '1m', by: ['job'], outputs }]);
  h.push(rows);
  h.tickAt(T0 + M);
  return h.result();
}

describe('gauge outputs on one interval (values 4, 10, 2, 6, 1; NaN and stale ignored)', () => {
  it('count_samples counts the five numeric samples', async () => {
    expect(await run(['count_samples'])).toEqual({ 'temp:1m_by_job_count_samples{job="x"}': [[M, 5]] });
  });

  it('sum_samples adds them', async () => {
    expect(await run(['sum_samples'])).toEqual({ 'temp:1m_by_job_sum_samples{job="x"}': [[M, 23]] });
  });

  it('min, max and avg see every numeric sample', async () => {
    expect(await run(['min', 'max', 'avg'])).toEqual({
      'temp:1m_by_job_min{job="x"}': [[M, 1]],
      'temp:1m_by_job_max{job="x"}': [[M, 10]],
      'temp:1m_by_job_avg{job="x"}': [[M, 4.6]],
    });
  });

  it('last takes the latest timestamp and on a tie the larger value', async () => {
    expect(await run(['last'])).toEqual({ 'temp:1m_by_job_last{job="x"}': [[M, 6]] });
  });

  it('stdvar and stddev are the population variance and its root', async () => {
    // mean 4.6; squared deviations 0.36 + 29.16 + 6.76 + 1.96 + 12.96 = 51.2; / 5 = 10.24
    const r = await run(['stdvar', 'stddev']);
    expect(r['temp:1m_by_job_stdvar{job="x"}']![0]![1]).toBeCloseTo(10.24, 12);
    expect(r['temp:1m_by_job_stddev{job="x"}']![0]![1]).toBeCloseTo(3.2, 12);
  });

  it('quantiles pick the nearest rank of the sorted values and carry a quantile label', async () => {
    // sorted 1 2 4 6 10: phi 0.5 -> index round(0.5*4)=2 -> 4; 0.9 -> round(3.6)=4 -> 10; 0 -> 1
    expect(await run(['quantiles(0, 0.5, 0.9)'])).toEqual({
      'temp:1m_by_job_quantiles{job="x",quantile="0"}': [[M, 1]],
      'temp:1m_by_job_quantiles{job="x",quantile="0.5"}': [[M, 4]],
      'temp:1m_by_job_quantiles{job="x",quantile="0.9"}': [[M, 10]],
    });
  });

  it('histogram_bucket counts samples per vmrange bucket, upper bound inclusive', async () => {
    const r = await run(['histogram_bucket'], [
      [a, T0 + 1 * S, 1],
      [a, T0 + 2 * S, 1],
      [a, T0 + 3 * S, 0],
      [b, T0 + 4 * S, 1.1],
      [b, T0 + 5 * S, -3], // negative values have no bucket
    ]);
    expect(r).toEqual({
      'temp:1m_by_job_histogram_bucket{job="x",vmrange="0...1.000e-09"}': [[M, 1]],
      'temp:1m_by_job_histogram_bucket{job="x",vmrange="8.799e-01...1.000e+00"}': [[M, 2]],
      'temp:1m_by_job_histogram_bucket{job="x",vmrange="1.000e+00...1.136e+00"}': [[M, 1]],
    });
  });

  it('unique_samples counts distinct values', async () => {
    expect(await run(['unique_samples'], [[a, T0 + S, 3], [b, T0 + S, 3], [a, T0 + 2 * S, 5], [b, T0 + 3 * S, NaN]])).toEqual({
      'temp:1m_by_job_unique_samples{job="x"}': [[M, 2]],
    });
  });

  it('count_series counts each series once per interval', async () => {
    expect(await run(['count_series'])).toEqual({ 'temp:1m_by_job_count_series{job="x"}': [[M, 2]] });
  });

  it('sum_samples_total keeps adding across intervals', async () => {
    const h = await Harness.create([{ interval: '1m', by: ['job'], outputs: ['sum_samples_total', 'sum_samples'] }]);
    h.push([[a, T0 + S, 2], [b, T0 + S, 3]]);
    h.tickAt(T0 + M);
    h.push([[a, T0 + M + S, 4]]);
    h.tickAt(T0 + 2 * M);
    expect(h.result()).toEqual({
      'temp:1m_by_job_sum_samples_total{job="x"}': [[M, 5], [2 * M, 9]],
      'temp:1m_by_job_sum_samples{job="x"}': [[M, 5], [2 * M, 4]],
    });
  });

  it('an interval without samples emits no gauge outputs, and a series that comes back is counted again', async () => {
    const h = await Harness.create([{ interval: '1m', by: ['job'], outputs: ['count_samples', 'count_series'] }]);
    h.push([[a, T0 + S, 1]]);
    h.tickAt(T0 + M);
    h.tickAt(T0 + 2 * M);
    h.now = T0 + 2 * M + S;
    h.push([[a, T0 + 2 * M + S, 1], [b, T0 + 2 * M + S, 1]]);
    h.tickAt(T0 + 3 * M);
    expect(h.result()).toEqual({
      'temp:1m_by_job_count_samples{job="x"}': [[M, 1], [3 * M, 2]],
      'temp:1m_by_job_count_series{job="x"}': [[M, 1], [3 * M, 2]],
    });
  });
});
