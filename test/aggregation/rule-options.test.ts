import { describe, expect, it } from 'vitest';
import { DEFAULT_TENANT } from '../../host/batch/tenant.js';
import { labelsFromRecord } from '../../host/series/labels.js';
import { Harness, M, S, T0 } from './harness.js';

const a = { __name__: 'm', job: 'x', instance: 'a', replica: '1' };
const b = { __name__: 'm', job: 'x', instance: 'b', replica: '2' };

describe('rule options', () => {
  it('without names the removed labels and keeps the others', async () => {
    const h = await Harness.create([{ interval: '1m', without: ['instance', 'replica'], outputs: ['sum_samples'] }]);
    h.push([[a, T0 + S, 1], [b, T0 + S, 2]]);
    h.tickAt(T0 + M);
    expect(h.result()).toEqual({ 'm:1m_without_instance_replica_sum_samples{job="x"}': [[M, 3]] });
  });

  it('match takes VictoriaMetrics "or" selectors and lists of selectors', async () => {
    const c = { __name__: 'm', job: 'y', instance: 'c', replica: '1' };
    const d = { __name__: 'm', job: 'z', instance: 'd', replica: '1' };
    const h = await Harness.create([
      { match: '{instance="a" or job="y"}', interval: '1m', without: ['instance', 'job', 'replica'], outputs: ['count_series'] },
      { match: ['m{instance="b"}', '{job="z"}'], interval: '1m', without: ['instance', 'job', 'replica'], outputs: ['count_samples'] },
    ]);
    h.push([[a, T0 + S, 1], [b, T0 + S, 2], [c, T0 + S, 3], [d, T0 + S, 4]]);
    h.tickAt(T0 + M);
    expect(h.result()).toEqual({
      'm:1m_without_instance_job_replica_count_series{}': [[M, 2]],
      'm:1m_without_instance_job_replica_count_samples{}': [[M, 2]],
    });
  });

  it('keep_metric_names names the output like its input', async () => {
    const h = await Harness.create([{ interval: '1m', by: ['job'], outputs: ['max'], keep_metric_names: true }]);
    h.push([[a, T0 + S, 1], [b, T0 + S, 2]]);
    h.tickAt(T0 + M);
    expect(h.result()).toEqual({ 'm{job="x"}': [[M, 2]] });
  });

  it('drop_input_labels merges series that differ only in those labels, before dedup', async () => {
    const h = await Harness.create([{ interval: '1m', dedup_interval: '1m', drop_input_labels: ['replica'], outputs: ['count_samples', 'count_series'] }]);
    const a2 = { ...a, replica: '2' };
    h.push([[a, T0 + S, 1], [a2, T0 + 2 * S, 5]]);
    h.tickAt(T0 + M);
    expect(h.result()).toEqual({
      'm:1m_count_samples{instance="a",job="x"}': [[M, 1]],
      'm:1m_count_series{instance="a",job="x"}': [[M, 1]],
    });
  });

  it('input_relabel_configs rewrite the input and output_relabel_configs the output', async () => {
    const h = await Harness.create([
      {
        interval: '1m',
        by: ['team'],
        outputs: ['count_samples'],
        input_relabel_configs: [{ source_labels: ['job'], target_label: 'team', replacement: 'team-$1' }, { action: 'drop', source_labels: ['instance'], regex: 'b' }],
        output_relabel_configs: [{ target_label: 'aggregated', replacement: 'yes' }],
      },
    ]);
    h.push([[a, T0 + S, 1], [b, T0 + S, 2]]);
    h.tickAt(T0 + M);
    expect(h.result()).toEqual({ 'm:1m_by_team_count_samples{aggregated="yes",team="team-x"}': [[M, 1]] });
  });

  it('ignore_first_intervals skips the first flushes but keeps counting totals', async () => {
    const h = await Harness.create([{ interval: '1m', by: ['job'], outputs: ['total'], ignore_first_intervals: 1, ignore_first_sample_interval: '0s' }]);
    h.push([[a, T0 + S, 5]]);
    h.tickAt(T0 + M);
    h.now = T0 + M + S;
    h.push([[a, T0 + M + S, 7]]);
    h.tickAt(T0 + 2 * M);
    expect(h.result()).toEqual({ 'm:1m_by_job_total{job="x"}': [[2 * M, 7]] });
  });

  it('ignore_old_samples drops samples stamped before the current interval', async () => {
    const h = await Harness.create([{ interval: '1m', outputs: ['count_samples'], ignore_old_samples: true }]);
    h.now = T0 + M + 10 * S;
    h.tickAt(T0 + M + 10 * S);
    h.push([[a, T0 + 50 * S, 1], [a, T0 + M + 5 * S, 2]]);
    h.tickAt(T0 + 2 * M);
    expect(h.result()).toEqual({ 'm:1m_count_samples{instance="a",job="x",replica="1"}': [[2 * M, 1]] });
    expect(h.agg.rules[0]!.stats[1]).toBe(1); // STAT_OLD
  });

  it('no_align_flush_to_interval flushes an interval after start instead of on the minute', async () => {
    const h = await Harness.create([{ interval: '1m', outputs: ['count_samples'], no_align_flush_to_interval: true }], { now: T0 + 20 * S });
    h.push([[a, T0 + 30 * S, 1]]);
    h.tickAt(T0 + M);
    h.tickAt(T0 + M + 20 * S);
    expect(h.result()).toEqual({ 'm:1m_count_samples{instance="a",job="x",replica="1"}': [[M + 20 * S, 1]] });
  });

  it('the interval a cold start cut short is not written, as in vmagent, but its totals count', async () => {
    const h = await Harness.create([{ interval: '1m', by: ['job'], outputs: ['count_samples', 'total'], ignore_first_sample_interval: '0s' }], { now: T0 + 30 * S });
    h.push([[a, T0 + 40 * S, 5]]);
    h.tickAt(T0 + M);
    h.now = T0 + M + S;
    h.push([[a, T0 + M + S, 7]]);
    h.tickAt(T0 + 2 * M);
    expect(h.result()).toEqual({ 'm:1m_by_job_count_samples{job="x"}': [[2 * M, 1]], 'm:1m_by_job_total{job="x"}': [[2 * M, 7]] });
  });

  it('flush_on_shutdown emits the interval in progress stamped with the shutdown time', async () => {
    const h = await Harness.create([{ interval: '1m', outputs: ['count_samples'], flush_on_shutdown: true }]);
    h.now = T0 + 30 * S;
    h.push([[a, T0 + 20 * S, 1]]);
    h.outputs.push(...h.agg.flushOnShutdown(h.now));
    expect(h.result()).toEqual({ 'm:1m_count_samples{instance="a",job="x",replica="1"}': [[30 * S, 1]] });
  });

  it('an output series the index deletes is resolved again instead of writing to its reused ref', async () => {
    const h = await Harness.create([{ match: 'm', interval: '1m', outputs: ['count_samples'] }]);
    h.push([[a, T0 + S, 1]]);
    h.tickAt(T0 + M);
    const out = h.outputs[0]!.refs[0]!;
    h.series.delete([out]);
    h.series.compact();
    expect(h.series.resolve(DEFAULT_TENANT, labelsFromRecord({ __name__: 'squatter' }))).toBe(out);
    h.now = T0 + M + S;
    h.push([[a, T0 + M + S, 1]]);
    h.tickAt(T0 + 2 * M);
    // The first flush's row now reads as squatter (its ref was reused); the second went to a new ref.
    expect(h.result()).toEqual({ 'squatter{}': [[M, 1]], 'm:1m_count_samples{instance="a",job="x",replica="1"}': [[2 * M, 1]] });
  });

  it('a ref the series index deletes and hands to another series is classified again', async () => {
    const h = await Harness.create([{ match: 'm', interval: '1m', outputs: ['count_samples'] }]);
    h.push([[a, T0 + S, 1]]);
    const ref = h.series.resolve(DEFAULT_TENANT, labelsFromRecord(a));
    h.series.delete([ref]);
    h.series.compact();
    const other = h.series.resolve(DEFAULT_TENANT, labelsFromRecord({ __name__: 'not_m' }));
    expect(other).toBe(ref); // the index reused the ref
    h.agg.consume({ tenant: DEFAULT_TENANT, length: 1, refs: Uint32Array.of(other), ts: Float64Array.of(T0 + 2 * S), values: Float64Array.of(9) }, h.now);
    h.tickAt(T0 + M);
    // Only m's own sample counts; not_m's sample on the reused ref is not taken for m.
    expect(h.result()).toEqual({ 'm:1m_count_samples{instance="a",job="x",replica="1"}': [[M, 1]] });
  });
});
