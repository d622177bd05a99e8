import { describe, expect, it } from 'vitest';
import { STALE_NAN } from '../../host/batch/stale.js';
import { DEFAULT_TENANT } from '../../host/batch/tenant.js';
import { RendezvousHash } from '../../host/routing/rendezvous.js';
import { ShardAssigner } from '../../host/routing/shard-assigner.js';
import type { ShardKeySpec } from '../../host/routing/hash.js';
import { labelsFromRecord } from '../../host/series/labels.js';
import { MapSeriesIndex } from '../../host/series/map-series-index.js';
import { Harness, M, S, T0, type Row } from './harness.js';

const x = (instance: string) => ({ __name__: 'lat', job: 'api', instance });

describe('event-time mode', () => {
  const rule = { interval: '1m', by: ['job'], outputs: ['count_samples', 'sum_samples'], event_time: true, allowed_lateness: '30s' };

  it('counts a sample toward the window of its timestamp while the window accepts it', async () => {
    const h = await Harness.create([rule]);
    h.now = T0 + M + 20 * S;
    h.push([[x('a'), T0 + 50 * S, 1], [x('a'), T0 + M + 10 * S, 10]]); // 20s after the first window ended
    h.tickAt(T0 + M + 30 * S); // window [0, 1m) closes 30s after its end
    h.now = T0 + M + 40 * S;
    h.push([[x('b'), T0 + 55 * S, 100]]); // too late for [0, 1m): counted and dropped
    h.tickAt(T0 + 2 * M + 30 * S);
    expect(h.result()).toEqual({
      'lat:1m_by_job_count_samples{job="api"}': [[M, 1], [2 * M, 1]],
      'lat:1m_by_job_sum_samples{job="api"}': [[M, 1], [2 * M, 10]],
    });
    expect(h.agg.rules[0]!.stats[2]).toBe(1); // STAT_LATE
  });

  it('passes late samples downstream raw when late_samples is pass', async () => {
    const h = await Harness.create([{ ...rule, late_samples: 'pass' }]);
    h.now = T0 + 2 * M;
    h.push([[x('a'), T0 + 10 * S, 1], [x('a'), T0 + 2 * M, 2]]);
    expect(h.passed.map((b) => Array.from(b.values))).toEqual([[1]]);
  });

  it('vmagent in processing time would fold the late sample into the current interval', async () => {
    const h = await Harness.create([{ interval: '1m', by: ['job'], outputs: ['count_samples'] }]);
    h.now = T0 + M + 40 * S;
    h.push([[x('b'), T0 + 55 * S, 100]]);
    h.tickAt(T0 + 2 * M);
    expect(h.result()).toEqual({ 'lat:1m_by_job_count_samples{job="api"}': [[2 * M, 1]] });
  });
});

describe('dedup_interval', () => {
  it('keeps per series the latest sample of each dedup interval; ties go to the larger value and a number beats a stale marker', async () => {
    const h = await Harness.create([{ interval: '1m', dedup_interval: '30s', by: ['job'], outputs: ['count_samples', 'sum_samples'] }]);
    const rows: Row[] = [
      [x('a'), T0 + 5 * S, 1],
      [x('a'), T0 + 20 * S, 2], // latest of a in [0, 30s)
      [x('a'), T0 + 10 * S, 9], // older: loses
      [x('b'), T0 + 20 * S, 3],
      [x('b'), T0 + 20 * S, 4], // same timestamp, larger value: wins
      [x('b'), T0 + 20 * S, STALE_NAN], // same timestamp, stale marker: loses to the number
    ];
    h.now = T0 + 25 * S;
    h.push(rows);
    h.tickAt(T0 + 30 * S);
    h.now = T0 + 45 * S;
    h.push([[x('a'), T0 + 40 * S, 5]]);
    h.tickAt(T0 + M);
    expect(h.result()).toEqual({
      'lat:1m_by_job_count_samples{job="api"}': [[M, 3]],
      'lat:1m_by_job_sum_samples{job="api"}': [[M, 11]],
    });
  });
});

describe('several aggregators behind the gateway router', () => {
  async function shardedOutputs(key: ShardKeySpec) {
    const nodes = [{ name: 'agg-0' }, { name: 'agg-1' }, { name: 'agg-2' }];
    const gateway = new MapSeriesIndex();
    const assigner = new ShardAssigner(gateway, new RendezvousHash(nodes), { replicas: 1, key });
    const rule = { interval: '1m', by: ['job'], outputs: ['sum_samples', 'count_series'] };
    const aggs = await Promise.all(nodes.map(() => Harness.create([rule])));
    const single = await Harness.create([rule]);
    for (let job = 0; job < 12; job++) {
      for (let inst = 0; inst < 5; inst++) {
        const labels = { __name__: 'reqs', job: `j${job}`, instance: `i${inst}` };
        const row: Row = [labels, T0 + S, job * 10 + inst];
        const node = assigner.assign(DEFAULT_TENANT, gateway.resolve(DEFAULT_TENANT, labelsFromRecord(labels)), 0, () => true)[0]!;
        aggs[node]!.push([row]);
        single.push([row]);
      }
    }
    for (const h of [...aggs, single]) h.tickAt(T0 + M);
    return { perNode: aggs.map((h) => h.result()), single: single.result() };
  }

  it('emit disjoint output series whose union is what one aggregator emits when the router shards by the rule labels', async () => {
    const { perNode, single } = await shardedOutputs({ by: ['job'] });
    const names = perNode.flatMap((r) => Object.keys(r));
    expect(new Set(names).size).toBe(names.length); // no output series on two nodes
    expect(Object.assign({}, ...perNode)).toEqual(single); // and no extra label per node
    expect(perNode.filter((r) => Object.keys(r).length > 0).length).toBeGreaterThan(1);
  });

  it('collide when the router shards by all labels', async () => {
    const { perNode } = await shardedOutputs({ ignore: [] });
    const names = perNode.flatMap((r) => Object.keys(r));
    expect(new Set(names).size).toBeLessThan(names.length);
  });
});
