import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import route from '../../../plugins/route/index.js';
import type { SampleBatch } from '../../../host/batch/sample-batch.js';
import type { Tenant } from '../../../host/batch/tenant.js';
import { validate } from '../../../host/config/schema.js';
import type { Component } from '../../../host/plugin/manifest.js';
import { labelsFromRecord } from '../../../host/series/labels.js';
import { createTestHost, type TestHost } from '../../kit/context.js';
import { RecordingConsumer } from '../../kit/recording-consumer.js';
import { startVictoriaMetrics, type RunningVictoriaMetrics } from '../kit/victoria-metrics.js';

/**
 * The route processor shards across two real VictoriaMetrics nodes through its built-in
 * remote_write targets: every job on exactly one node, a stopped node's series on the other at
 * once, and back on their own node once it is up again and its back-off has passed.
 */
const T: Tenant = { accountId: 0, projectId: 0 };
const JOBS = 20;
let host: TestHost;
let nodes: RunningVictoriaMetrics[];
let component: Component;
let refs: number[];
const base = Date.now() - 10 * 60_000;

beforeAll(async () => {
  nodes = await Promise.all([startVictoriaMetrics(), startVictoriaMetrics()]);
  host = createTestHost();
  const config = {
    targets: nodes.map((n, i) => ({ name: `vm-${i}`, url: n.writeUrl, options: { timeout: '2s' } })),
    shard_by: ['job'],
    backoff: '30s',
  };
  const parsed = validate(route.config as never, config, 'route/peer');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  component = await route.create(host.context('route/peer').ctx, parsed.value as never, new RecordingConsumer());
  refs = Array.from({ length: 200 }, (_, i) => host.series.resolve(T, labelsFromRecord({ __name__: 'requests_total', job: `job-${i % JOBS}`, instance: `i-${i}` })));
});

afterAll(async () => {
  await component?.stop?.();
  await Promise.all((nodes ?? []).map((n) => n.destroy()));
  host?.cleanup();
});

function batch(ts: number): SampleBatch {
  return { tenant: T, length: refs.length, refs: Uint32Array.from(refs), ts: new Float64Array(refs.length).fill(ts), values: Float64Array.from(refs, (_, i) => i) };
}

/** job → node indexes holding a sample of it at `ts`. */
async function jobsAt(ts: number): Promise<Map<string, Set<number>>> {
  const out = new Map<string, Set<number>>();
  for (const [i, node] of nodes.entries()) {
    if (!node.running()) continue;
    await node.forceFlush();
    for (const s of await node.exportSeries('requests_total', { start: ts, end: ts })) {
      if (!s.timestamps.includes(ts)) continue;
      (out.get(s.metric.job!) ?? out.set(s.metric.job!, new Set()).get(s.metric.job!)!).add(i);
    }
  }
  return out;
}

describe('route to VictoriaMetrics nodes', () => {
  it('puts every job on exactly one node, fails over to the other, and fails back', async () => {
    await component.consume!(batch(base));
    const normal = await jobsAt(base);
    expect(normal.size).toBe(JOBS);
    for (const holders of normal.values()) expect(holders.size).toBe(1);
    const onNode1 = [...normal].filter(([, h]) => h.has(1)).map(([job]) => job);
    expect(onNode1.length).toBeGreaterThan(0);
    expect(onNode1.length).toBeLessThan(JOBS);

    await nodes[1]!.stop();
    await component.consume!(batch(base + 1000));
    const during = await jobsAt(base + 1000);
    expect(during.size).toBe(JOBS);
    for (const holders of during.values()) expect([...holders]).toEqual([0]);

    await nodes[1]!.start();
    host.clock.advance(31_000);
    await component.consume!(batch(base + 2000));
    expect(await jobsAt(base + 2000)).toEqual(normal);
  });
});
