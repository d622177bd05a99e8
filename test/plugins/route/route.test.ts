import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import route from '../../../plugins/route/index.js';
import { withWireForm, type SampleBatch } from '../../../host/batch/sample-batch.js';
import type { Tenant } from '../../../host/batch/tenant.js';
import { validate } from '../../../host/config/schema.js';
import { BackpressureError, BadInputError, ConfigError, DownstreamError } from '../../../host/errors.js';
import type { Component } from '../../../host/plugin/manifest.js';
import { registerTargetKind, type TargetConsumer } from '../../../host/routing/targets.js';
import { labelsFromRecord } from '../../../host/series/labels.js';
import { createTestHost, type TestHost } from '../../kit/context.js';
import { RecordingConsumer } from '../../kit/recording-consumer.js';

/** A downstream node: records what it accepts, and can be made to fail or report itself down. */
class Node extends RecordingConsumer implements TargetConsumer {
  fail: Error | undefined;
  up = true;
  override async consume(batch: SampleBatch): Promise<void> {
    if (this.fail) throw this.fail;
    await super.consume(batch);
  }
  healthy(): boolean {
    return this.up;
  }
}

const nodes = new Map<string, Node>();
let unregister: () => void;
beforeAll(() => {
  unregister = registerTargetKind('test-node', (t) => {
    const n = new Node();
    nodes.set(t.name, n);
    return n;
  });
});
afterAll(() => unregister());

const T: Tenant = { accountId: 3, projectId: 1 };
let host: TestHost;
afterEach(() => {
  host?.cleanup();
  nodes.clear();
});

async function setup(n: number, extra: Record<string, unknown> = {}): Promise<{ component: Component; refs: number[] }> {
  host = createTestHost();
  const targets = Array.from({ length: n }, (_, i) => ({ name: `n${i}`, kind: 'test-node' }));
  const parsed = validate(route.config as never, { targets, ...extra }, 'route/t');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  const component = await route.create(host.context('route/t').ctx, parsed.value as never, new RecordingConsumer());
  const refs = Array.from({ length: 3000 }, (_, i) =>
    host.series.resolve(T, labelsFromRecord({ __name__: 'http_requests_total', job: `job-${i % 40}`, instance: `i-${i % 7}`, path: `/p${i}` })),
  );
  return { component, refs };
}

function batch(refs: number[], t = 0): SampleBatch {
  return { tenant: T, length: refs.length, refs: Uint32Array.from(refs), ts: new Float64Array(refs.length).fill(t), values: Float64Array.from(refs, (r) => r) };
}

/** Which nodes hold each ref, from what the nodes recorded. */
function holders(): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const [name, node] of nodes) for (const s of node.samples()) (out.get(s.ref) ?? out.set(s.ref, []).get(s.ref)!).push(name);
  for (const n of nodes.values()) n.clear();
  return out;
}

describe('route processor', () => {
  it('sends each series to one node, the same one every time, and keeps the tenant', async () => {
    const { component, refs } = await setup(4);
    await component.consume!(batch(refs));
    const first = holders();
    await component.consume!(batch(refs));
    const second = holders();
    expect(first.size).toBe(refs.length);
    for (const r of refs) {
      expect(first.get(r)).toHaveLength(1);
      expect(second.get(r)).toEqual(first.get(r));
    }
    expect(new Set([...first.values()].flat())).toEqual(new Set(['n0', 'n1', 'n2', 'n3']));
    for (const n of nodes.values()) for (const b of n.batches) expect(b.tenant).toEqual(T);
  });

  it('puts each series on R distinct nodes with replication', async () => {
    const { component, refs } = await setup(5, { replication_factor: 3 });
    await component.consume!(batch(refs));
    const held = holders();
    expect(held.size).toBe(refs.length);
    for (const r of refs) expect(new Set(held.get(r)).size).toBe(3);
  });

  it('fails a retryable node over to the next ranked nodes at once and brings its series back after the back-off', async () => {
    const { component, refs } = await setup(4, { backoff: '10s' });
    await component.consume!(batch(refs));
    const normal = holders();
    nodes.get('n2')!.fail = new DownstreamError('503 from n2', { retryable: true });
    await component.consume!(batch(refs));
    const during = holders();
    const moved = refs.filter((r) => normal.get(r)![0] === 'n2');
    expect(moved.length).toBeGreaterThan(refs.length / 8);
    for (const r of refs) {
      expect(during.get(r)).toHaveLength(1);
      if (normal.get(r)![0] !== 'n2') expect(during.get(r)).toEqual(normal.get(r));
      else expect(during.get(r)![0]).not.toBe('n2');
    }
    const up = await host.registry.getSingleMetric('sluice_route_target_up')!.get();
    expect(Object.fromEntries(up.values.map((v) => [v.labels.target, v.value]))).toEqual({ n0: 1, n1: 1, n2: 0, n3: 1 });
    // The moved series spread over all survivors rather than piling onto one neighbour.
    expect(new Set(moved.map((r) => during.get(r)![0]))).toEqual(new Set(['n0', 'n1', 'n3']));
    nodes.get('n2')!.fail = undefined;
    host.clock.advance(5_000);
    await component.consume!(batch(refs));
    expect(holders()).toEqual(during);
    host.clock.advance(5_000);
    await component.consume!(batch(refs));
    expect(holders()).toEqual(normal);
  });

  it('skips a node that reports itself unhealthy until it recovers', async () => {
    const { component, refs } = await setup(3);
    await component.consume!(batch(refs));
    const normal = holders();
    nodes.get('n0')!.up = false;
    await component.consume!(batch(refs));
    const during = holders();
    expect([...during.values()].flat()).not.toContain('n0');
    nodes.get('n0')!.up = true;
    await component.consume!(batch(refs));
    expect(holders()).toEqual(normal);
  });

  it('keeps R replicas when a replica fails, without sending a series twice to one node', async () => {
    const { component, refs } = await setup(4, { replication_factor: 2 });
    nodes.get('n1')!.fail = new DownstreamError('down', { retryable: true });
    await component.consume!(batch(refs));
    const held = holders();
    for (const r of refs) {
      expect(held.get(r)).toHaveLength(2);
      expect(new Set(held.get(r)).size).toBe(2);
      expect(held.get(r)).not.toContain('n1');
    }
  });

  it('answers back-pressure when no node can take the samples', async () => {
    const { component, refs } = await setup(2);
    for (const n of nodes.values()) n.fail = new DownstreamError('down', { retryable: true });
    await expect(component.consume!(batch(refs.slice(0, 10)))).rejects.toBeInstanceOf(BackpressureError);
  });

  it('passes a permanent error on instead of failing over', async () => {
    const { component, refs } = await setup(2);
    nodes.get('n0')!.fail = new BadInputError('out of order');
    await expect(component.consume!(batch(refs))).rejects.toBeInstanceOf(BadInputError);
    expect(nodes.get('n1')!.samples().every((s) => refs.includes(s.ref))).toBe(true);
  });

  it('hands the share of a local target to its own downstream, and takes over a failed node there', async () => {
    host = createTestHost();
    const parsed = validate(route.config as never, { targets: [{ name: 'self', kind: 'local' }, { name: 'peer', kind: 'test-node' }] }, 'route/l');
    const downstream = new RecordingConsumer();
    const component = await route.create(host.context('route/l').ctx, (parsed as unknown as { value: never }).value, downstream);
    const refs = Array.from({ length: 500 }, (_, i) => host.series.resolve(T, labelsFromRecord({ __name__: 'm', i: String(i) })));
    await component.consume!(batch(refs));
    const local = downstream.samples().length;
    expect(local).toBeGreaterThan(100);
    expect(local + nodes.get('peer')!.samples().length).toBe(500);
    nodes.get('peer')!.fail = new DownstreamError('down', { retryable: true });
    await component.consume!(batch(refs));
    expect(downstream.samples().length).toBe(local + 500);
  });

  it('passes back-pressure of a target on instead of moving its series to other nodes', async () => {
    const { component, refs } = await setup(3);
    await component.consume!(batch(refs));
    const normal = holders();
    nodes.get('n1')!.fail = new BackpressureError('edge full');
    await expect(component.consume!(batch(refs))).rejects.toBeInstanceOf(BackpressureError);
    const during = holders();
    for (const [ref, held] of during) expect(held).toEqual(normal.get(ref));
    nodes.get('n1')!.fail = undefined;
    await component.consume!(batch(refs));
    expect(holders()).toEqual(normal);
  });

  it('hands a target the very batch, wire form included, when its share is every row', async () => {
    const wire = { protocol: 1 as const, body: new Uint8Array([1, 2, 3]) };
    const { component, refs } = await setup(1);
    const plain = withWireForm(batch(refs.slice(0, 100)), wire);
    const side = { histograms: [{ ref: refs[0]!, ts: 0, histogram: {} }], exemplars: [{ ref: refs[1]!, labels: [], value: 1, ts: 0 }], metadata: [{ metricFamilyName: 'http_requests_total', type: 'counter', help: '', unit: '' }] };
    const withSide = withWireForm({ ...batch(refs.slice(0, 3)), side }, wire);
    for (const input of [plain, withSide]) {
      await component.consume!(input);
      expect(nodes.get('n0')!.batches.at(-1)).toBe(input);
      expect(nodes.get('n0')!.batches.at(-1)!.wire).toBe(wire);
    }
  });

  it('hands the very batch to the one node left when the others report themselves down', async () => {
    const { component, refs } = await setup(3);
    nodes.get('n0')!.up = false;
    nodes.get('n2')!.up = false;
    const input = withWireForm(batch(refs), { protocol: 1, body: new Uint8Array(3) });
    await component.consume!(input);
    expect(nodes.get('n1')!.batches).toEqual([input]);
    expect(nodes.get('n1')!.batches[0]).toBe(input);
  });

  it('gives every replica the very batch when each holds every row, and the metadata only to the first', async () => {
    const { component, refs } = await setup(2, { replication_factor: 2 });
    const input = withWireForm(batch(refs.slice(0, 50)), { protocol: 1, body: new Uint8Array(3) });
    await component.consume!(input);
    for (const n of nodes.values()) expect(n.batches[0]).toBe(input);
    const metadata = [{ metricFamilyName: 'http_requests_total', type: 'counter', help: '', unit: '' }];
    const withMetadata = withWireForm({ ...batch(refs.slice(0, 50)), side: { metadata } }, { protocol: 1, body: new Uint8Array(3) });
    await component.consume!(withMetadata);
    const [first, second] = [nodes.get('n0')!.batches[1]!, nodes.get('n1')!.batches[1]!];
    expect(first).toBe(withMetadata);
    expect(second).not.toBe(withMetadata);
    expect(second.wire).toBeUndefined();
    expect(second.side).toBeUndefined();
    expect(Array.from(second.refs)).toEqual(refs.slice(0, 50));
  });

  it('makes each share of a split batch a new batch of its rows, without the wire form', async () => {
    const { component, refs } = await setup(2);
    const input = withWireForm(batch(refs.slice(0, 200), 7), { protocol: 1, body: new Uint8Array(3) });
    await component.consume!(input);
    const shares = [...nodes.values()].map((n) => n.batches[0]!);
    for (const share of shares) {
      expect(share).not.toBe(input);
      expect(share.wire).toBeUndefined();
      expect(share.tenant).toEqual(T);
      expect(share.length).toBeGreaterThan(0);
      expect(Array.from(share.ts)).toEqual(new Array(share.length).fill(7));
      expect(Array.from(share.values)).toEqual(Array.from(share.refs));
    }
    const all = shares.flatMap((b) => Array.from(b.refs));
    expect(all.sort((a, b) => a - b)).toEqual(refs.slice(0, 200).sort((a, b) => a - b));
  });

  it('refuses an unknown target kind and duplicate names with config paths', async () => {
    host = createTestHost();
    const dup = validate(route.config as never, { targets: [{ name: 'a' }, { name: 'a' }], replication_factor: 3 }, 'processors.route/x');
    expect(dup.ok ? [] : dup.issues.map((i) => i.path)).toEqual(['processors.route/x.targets[1].name', 'processors.route/x.replication_factor']);
    const parsed = validate(route.config as never, { targets: [{ name: 'a', kind: 'carrier-pigeon' }] }, 'route/x');
    await expect(Promise.resolve().then(() => route.create(host.context('route/x').ctx, (parsed as unknown as { value: never }).value, new RecordingConsumer()))).rejects.toThrow(ConfigError);
  });
});
