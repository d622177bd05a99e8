import { describe, expect, it } from 'vitest';
import { STALE_NAN } from '../../host/batch/stale.js';
import { Harness, M, S, T0 } from './harness.js';

const a = { __name__: 'req_total', job: 'x', instance: 'a' };
const b = { __name__: 'req_total', job: 'x', instance: 'b' };
const rule = (outputs: string[], extra: Record<string, unknown> = {}) => ({ interval: '1m', by: ['job'], outputs, ignore_first_sample_interval: '0s', ...extra });

/** Interval 1: a 10 -> 15, b 100 (new). Interval 2: a resets 15 -> 3 -> 5, b 100 -> 110, NaN, stale. */
async function twoIntervals(outputs: string[], extra?: Record<string, unknown>) {
  const h = await Harness.create([rule(outputs, extra)]);
  h.push([[a, T0 + 10 * S, 10], [b, T0 + 10 * S, 100], [a, T0 + 40 * S, 15]]);
  h.tickAt(T0 + M);
  h.push([
    [a, T0 + 70 * S, 3],
    [a, T0 + 65 * S, 12], // out of order for a counter: ignored
    [b, T0 + 70 * S, 110],
    [a, T0 + 100 * S, 5],
    [a, T0 + 100 * S, 4], // same timestamp, smaller value: a duplicate, ignored
    [b, T0 + 90 * S, NaN],
    [b, T0 + 100 * S, STALE_NAN],
  ]);
  h.tickAt(T0 + 2 * M);
  return h;
}

describe('counter outputs', () => {
  it('total counts new series from zero and continues across a counter reset', async () => {
    // interval 1: 10 + 100 + 5 = 115; interval 2: reset adds 3, then +2, b +10 -> 130
    const h = await twoIntervals(['total']);
    expect(h.result()).toEqual({ 'req_total:1m_by_job_total{job="x"}': [[M, 115], [2 * M, 130]] });
    expect(h.agg.rules[0]!.stats[5]).toBe(1); // one counter reset seen
  });

  it('total_prometheus ignores the first sample of each series', async () => {
    const h = await twoIntervals(['total_prometheus']);
    expect(h.result()).toEqual({ 'req_total:1m_by_job_total_prometheus{job="x"}': [[M, 5], [2 * M, 20]] });
  });

  it('increase and increase_prometheus start from zero every interval', async () => {
    const h = await twoIntervals(['increase', 'increase_prometheus']);
    expect(h.result()).toEqual({
      'req_total:1m_by_job_increase{job="x"}': [[M, 115], [2 * M, 15]],
      'req_total:1m_by_job_increase_prometheus{job="x"}': [[M, 5], [2 * M, 15]],
    });
  });

  it('rate_sum and rate_avg average each series over the time its increase took', async () => {
    // interval 1: a 5 over 30s = 1/6 (b has no second sample); interval 2: a 5 over 60s, b 10 over 60s
    const h = await twoIntervals(['rate_sum', 'rate_avg']);
    const r = h.result();
    expect(r['req_total:1m_by_job_rate_sum{job="x"}']!.map(([t, v]) => [t, +v.toFixed(9)])).toEqual([[M, 0.166666667], [2 * M, 0.25]]);
    expect(r['req_total:1m_by_job_rate_avg{job="x"}']!.map(([t, v]) => [t, +v.toFixed(9)])).toEqual([[M, 0.166666667], [2 * M, 0.125]]);
  });

  it('the first sample of a new series is a baseline during ignore_first_sample_interval after start', async () => {
    const h = await Harness.create([{ interval: '1m', by: ['job'], outputs: ['total'] }]); // default: staleness = 2m
    h.push([[a, T0 + 10 * S, 10], [a, T0 + 20 * S, 12]]);
    h.tickAt(T0 + M);
    h.now = T0 + 3 * M;
    h.push([[b, T0 + 3 * M, 7]]); // after the start-up window: counted from zero
    h.tickAt(T0 + 4 * M);
    // a's first 10 is a baseline; total stays visible for the 2m staleness interval after 1m
    expect(h.result()['req_total:1m_by_job_total{job="x"}']).toEqual([[M, 2], [2 * M, 2], [4 * M, 9]]);
  });
});

describe('a counter series that returns after a gap longer than the staleness interval', () => {
  async function gap(extra: Record<string, unknown>) {
    const h = await Harness.create([rule(['total', 'increase'], extra)]);
    h.push([[a, T0 + 10 * S, 1000], [a, T0 + 50 * S, 1010]]);
    h.tickAt(T0 + M);
    for (let i = 2; i <= 5; i++) h.tickAt(T0 + i * M); // 4 minutes of silence: staleness is 2m
    h.now = T0 + 5 * M + 10 * S;
    h.push([[a, T0 + 5 * M + 10 * S, 1030]]);
    h.tickAt(T0 + 6 * M);
    return h.result();
  }

  it('continues total from the carried last value in Sluice (no spike, no drop)', async () => {
    // Rule: a series' last value is carried for counter_gap_horizon (default 1h) after its last
    // sample, and the group's total value as long as that; the returning sample adds 1030 - 1010.
    expect(await gap({})).toEqual({
      'req_total:1m_by_job_total{job="x"}': [[M, 1010], [2 * M, 1010], [6 * M, 1030]],
      'req_total:1m_by_job_increase{job="x"}': [[M, 1010], [6 * M, 20]],
    });
  });

  it('spikes the way vmagent does when the horizon is only the staleness interval', async () => {
    // vmagent forgets the series after staleness_interval; its return counts as a new series from
    // zero: total restarts and increase jumps by the whole counter value.
    expect(await gap({ counter_gap_horizon: '2m' })).toEqual({
      'req_total:1m_by_job_total{job="x"}': [[M, 1010], [2 * M, 1010], [6 * M, 1030]],
      'req_total:1m_by_job_increase{job="x"}': [[M, 1010], [6 * M, 1030]],
    });
  });
});
