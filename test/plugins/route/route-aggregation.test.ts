import { afterAll, describe, expect, it } from 'vitest';
import route from '../../../plugins/route/index.js';
import { validate } from '../../../host/config/schema.js';
import { registerTargetKind } from '../../../host/routing/targets.js';
import { RecordingConsumer } from '../../kit/recording-consumer.js';
import { batchOf, createTestHost, startProcessor, T0 } from '../stream-aggr/kit.js';

/**
 * The route processor in front of real stream_aggr nodes: sharded by the aggregation's `by`
 * labels, no two nodes emit the same output series for an interval, and together they emit
 * exactly what one aggregator fed everything emits. Sharded by all labels, they collide.
 */
const rule = { interval: '1m', by: ['job'], outputs: ['sum_samples', 'count_series'] };
let kind = 0;
const unregister: (() => void)[] = [];
afterAll(() => unregister.forEach((u) => u()));

async function aggregateThroughRoute(shard: Record<string, unknown>) {
  const host = createTestHost();
  const nodes = await Promise.all([0, 1, 2].map(() => startProcessor({ rules: [rule], persist_state: false }, host)));
  const single = await startProcessor({ rules: [rule], persist_state: false }, host);
  const name = `stream-aggr-node-${kind++}`;
  unregister.push(registerTargetKind(name, (t) => nodes[Number(t.name)]!.proc));
  const parsed = validate(route.config as never, { targets: ['0', '1', '2'].map((n) => ({ name: n, kind: name })), ...shard }, 'route/agg');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  const router = await route.create(host.context('route/agg').ctx, parsed.value as never, new RecordingConsumer());
  const rows: [Record<string, string>, number, number][] = [];
  for (let job = 0; job < 12; job++) {
    for (let inst = 0; inst < 5; inst++) rows.push([{ __name__: 'reqs', job: `j${job}`, instance: `i${inst}` }, T0 + 1000, job * 10 + inst]);
  }
  await router.consume!(batchOf(host.series, rows));
  await single.proc.consume(batchOf(host.series, rows));
  host.clock.set(T0 + 60_000);
  for (const n of [...nodes, single]) await n.proc.flush();
  const outputs = nodes.map((n) => n.sink.bySeries(host.series));
  const all = single.sink.bySeries(host.series);
  for (const n of [...nodes, single]) await n.proc.stop();
  host.cleanup();
  return { outputs, all };
}

describe('route in front of stream aggregation nodes', () => {
  it('sharded by the by labels, the nodes emit disjoint output series that add up to one aggregator', async () => {
    const { outputs, all } = await aggregateThroughRoute({ shard_by: ['job'] });
    const names = outputs.flatMap((o) => Object.keys(o));
    expect(names.length).toBe(24);
    expect(new Set(names).size).toBe(names.length);
    expect(Object.assign({}, ...outputs)).toEqual(all);
    expect(outputs.filter((o) => Object.keys(o).length > 0).length).toBeGreaterThan(1);
  });

  it('sharded by all labels, the nodes emit colliding partial sums', async () => {
    const { outputs } = await aggregateThroughRoute({});
    const names = outputs.flatMap((o) => Object.keys(o));
    expect(new Set(names).size).toBeLessThan(names.length);
  });
});
