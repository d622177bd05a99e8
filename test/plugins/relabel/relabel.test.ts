import { afterEach, describe, expect, it } from 'vitest';
import relabel from '../../../plugins/relabel/index.js';
import { withWireForm, type SampleBatch } from '../../../host/batch/sample-batch.js';
import type { Tenant } from '../../../host/batch/tenant.js';
import { validate } from '../../../host/config/schema.js';
import { LimitExceededError } from '../../../host/errors.js';
import { MapSeriesIndex } from '../../../host/series/map-series-index.js';
import { labelsFromRecord, type Labels } from '../../../host/series/labels.js';
import { createTestHost, type TestHost } from '../../kit/context.js';
import { RecordingConsumer } from '../../kit/recording-consumer.js';
import { startTestServer } from '../../kit/http.js';

/** The reference index, counting label reads to show when relabeling really runs. */
class CountingIndex extends MapSeriesIndex {
  labelReads = 0;
  /** Label sets with this label are refused as if the tenant were over its series limit. */
  refuse: string | undefined;
  override labels(ref: number): Labels {
    this.labelReads++;
    return super.labels(ref);
  }
  override resolve(tenant: Tenant, labels: Labels): number {
    if (this.refuse !== undefined && labels.some((l) => l.name === this.refuse)) throw new LimitExceededError('over the series limit');
    return super.resolve(tenant, labels);
  }
}

const T1: Tenant = { accountId: 1, projectId: 0 };
const T2: Tenant = { accountId: 2, projectId: 7 };

let host: TestHost;
afterEach(() => host?.cleanup());

async function setup(rules: unknown[]) {
  const series = new CountingIndex();
  host = createTestHost({ series });
  const parsed = validate(relabel.config as never, { relabel_configs: rules }, 'relabel/t');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  const out = new RecordingConsumer();
  const { ctx } = host.context('relabel/t');
  const component = await relabel.create(ctx, parsed.value as never, out);
  const ref = (tenant: Tenant, rec: Record<string, string>) => series.resolve(tenant, labelsFromRecord(rec));
  return { series, out, component, ref };
}

function batch(tenant: Tenant, refs: number[], start = 1000): SampleBatch {
  return {
    tenant,
    length: refs.length,
    refs: Uint32Array.from(refs),
    ts: Float64Array.from(refs, (_, i) => start + i),
    values: Float64Array.from(refs, (_, i) => i * 1.5),
  };
}

async function droppedMetric(reason: string): Promise<number> {
  const m = await host.registry.getSingleMetric('sluice_relabel_dropped_samples_total')!.get();
  return m.values.find((v) => v.labels.reason === reason)?.value ?? 0;
}

const rules = [
  { source_labels: ['__name__'], regex: 'go_.*', action: 'drop' },
  { source_labels: ['instance'], regex: '([^:]+):\\d+', target_label: 'instance' },
];

describe('relabel processor', () => {
  it('rewrites refs to the relabeled series, removes dropped rows and counts them', async () => {
    const { series, out, component, ref } = await setup(rules);
    const a = ref(T1, { __name__: 'up', instance: 'h1:9100' });
    const g = ref(T1, { __name__: 'go_goroutines', instance: 'h1:9100' });
    await component.consume!(batch(T1, [a, g, a, g]));
    expect(out.bySeries(series)).toEqual({ 'up{instance="h1"}': [[1000, 0], [1002, 3]] });
    expect(await droppedMetric('rules')).toBe(2);
  });

  it('relabels each series once and then answers from the cache', async () => {
    const { series, out, component, ref } = await setup(rules);
    const a = ref(T1, { __name__: 'up', instance: 'h1:9100' });
    const b = ref(T1, { __name__: 'up', instance: 'h2:9100' });
    await component.consume!(batch(T1, [a, b]));
    const reads = series.labelReads;
    for (let i = 0; i < 5; i++) await component.consume!(batch(T1, [b, a, b]));
    expect(series.labelReads).toBe(reads);
    expect(out.samples()).toHaveLength(2 + 15);
  });

  it('keeps every sample in its own tenant even when two tenants share a label set', async () => {
    const { series, out, component, ref } = await setup(rules);
    const labels = { __name__: 'up', instance: 'h1:9100' };
    await component.consume!(batch(T1, [ref(T1, labels)]));
    await component.consume!(batch(T2, [ref(T2, labels)]));
    const [b1, b2] = out.batches;
    expect(b1!.tenant).toEqual(T1);
    expect(b2!.tenant).toEqual(T2);
    expect(series.tenant(b1!.refs[0]!)).toEqual(T1);
    expect(series.tenant(b2!.refs[0]!)).toEqual(T2);
    expect(b1!.refs[0]).not.toBe(b2!.refs[0]);
  });

  it('does not touch the batch it was given', async () => {
    const { component, ref } = await setup(rules);
    const a = ref(T1, { __name__: 'up', instance: 'h1:9100' });
    const g = ref(T1, { __name__: 'go_gc', instance: 'h1:9100' });
    const input = batch(T1, [a, g, a]);
    const copy = { refs: input.refs.slice(), ts: input.ts.slice(), values: input.values.slice() };
    await component.consume!(input);
    expect(input.refs).toEqual(copy.refs);
    expect(input.ts).toEqual(copy.ts);
    expect(input.values).toEqual(copy.values);
  });

  it('emits nothing for a batch whose every series is dropped', async () => {
    const { out, component, ref } = await setup(rules);
    await component.consume!(batch(T1, [ref(T1, { __name__: 'go_gc' })]));
    expect(out.batches).toHaveLength(0);
  });

  it('relabels a series again after the index deleted its output, and never maps a recycled ref with a stale result', async () => {
    const { series, out, component, ref } = await setup([{ source_labels: ['id'], target_label: 'copy' }]);
    const a = ref(T1, { __name__: 'up', id: 'a' });
    await component.consume!(batch(T1, [a]));
    series.delete([out.batches[0]!.refs[0]!]);
    series.compact();
    out.clear();
    await component.consume!(batch(T1, [a]));
    expect(out.bySeries(series)).toEqual({ 'up{copy="a",id="a"}': [[1000, 0]] });
    out.clear();
    series.delete([a]);
    series.compact();
    const b = ref(T1, { __name__: 'up', id: 'b' });
    await component.consume!(batch(T1, [b]));
    expect(out.bySeries(series)).toEqual({ 'up{copy="b",id="b"}': [[1000, 0]] });
  });

  it('moves exemplars and histograms with their series and drops them with it', async () => {
    const { out, component, ref } = await setup(rules);
    const a = ref(T1, { __name__: 'up', instance: 'h1:9100' });
    const g = ref(T1, { __name__: 'go_gc', instance: 'h1:9100' });
    const input: SampleBatch = {
      ...batch(T1, [a]),
      side: {
        exemplars: [{ ref: a, labels: [['trace_id', 'x']], value: 1, ts: 1 }, { ref: g, labels: [], value: 2, ts: 1 }],
        histograms: [{ ref: g, ts: 5, histogram: {} }],
      },
    };
    await component.consume!(input);
    const side = out.batches[0]!.side!;
    expect(side.exemplars!.map((e) => e.ref)).toEqual([out.batches[0]!.refs[0]]);
    expect(side.histograms).toEqual([]);
  });

  it('passes on the very batch, wire form included, when no row is dropped or renamed', async () => {
    const { out, component, ref } = await setup(rules);
    const a = ref(T1, { __name__: 'up', job: 'x' });
    const b = ref(T1, { __name__: 'up', job: 'y' });
    const wire = { protocol: 1 as const, body: new Uint8Array([1, 2, 3]) };
    const plain = withWireForm(batch(T1, [a, b, a]), wire);
    const withSide = withWireForm({ ...batch(T1, [a]), side: { exemplars: [{ ref: b, labels: [], value: 1, ts: 1000 }], histograms: [{ ref: a, ts: 1000, histogram: {} }], metadata: [] } }, wire);
    for (const input of [plain, plain, withSide]) {
      out.clear();
      await component.consume!(input);
      expect(out.batches).toHaveLength(1);
      expect(out.batches[0]).toBe(input);
      expect(out.batches[0]!.wire).toBe(wire);
    }
  });

  it('makes a new batch without the wire form when one row is dropped', async () => {
    const { series, out, component, ref } = await setup(rules);
    const a = ref(T1, { __name__: 'up', job: 'x' });
    const g = ref(T1, { __name__: 'go_gc', job: 'x' });
    const input = withWireForm(batch(T1, [a, a, g, a]), { protocol: 1, body: new Uint8Array(3) });
    await component.consume!(input);
    const got = out.batches[0]!;
    expect(got).not.toBe(input);
    expect(got.wire).toBeUndefined();
    expect(got.tenant).toEqual(T1);
    expect(out.bySeries(series)).toEqual({ 'up{job="x"}': [[1000, 0], [1001, 1.5], [1003, 4.5]] });
  });

  it('makes a new batch without the wire form when one series is renamed, keeping every row', async () => {
    const { series, out, component, ref } = await setup(rules);
    const a = ref(T1, { __name__: 'up', job: 'x' });
    const h = ref(T1, { __name__: 'up', instance: 'h1:9100' });
    const input = withWireForm(batch(T1, [a, h, a]), { protocol: 1, body: new Uint8Array(3) });
    await component.consume!(input);
    const got = out.batches[0]!;
    expect(got).not.toBe(input);
    expect(got.wire).toBeUndefined();
    expect(got.length).toBe(3);
    expect(Array.from(got.ts)).toEqual([1000, 1001, 1002]);
    expect(out.bySeries(series)).toEqual({ 'up{job="x"}': [[1000, 0], [1002, 3]], 'up{instance="h1"}': [[1001, 1.5]] });
  });

  it('makes a new batch without the wire form when the index refuses the output series of one row', async () => {
    const { series, out, component, ref } = await setup([...rules, { source_labels: ['job'], regex: 'z', target_label: 'zone', replacement: 'z' }]);
    const a = ref(T1, { __name__: 'up', job: 'x' });
    const z = ref(T1, { __name__: 'up', job: 'z' });
    series.refuse = 'zone';
    const input = withWireForm(batch(T1, [a, z]), { protocol: 1, body: new Uint8Array(3) });
    await component.consume!(input);
    expect(out.batches[0]).not.toBe(input);
    expect(out.batches[0]!.wire).toBeUndefined();
    expect(out.bySeries(series)).toEqual({ 'up{job="x"}': [[1000, 0]] });
    expect(await droppedMetric('series_limit')).toBe(1);
  });

  it('makes a new batch when only a side row changes: an exemplar of a renamed series', async () => {
    const { out, component, ref } = await setup(rules);
    const a = ref(T1, { __name__: 'up', job: 'x' });
    const h = ref(T1, { __name__: 'up', instance: 'h1:9100' });
    const g = ref(T1, { __name__: 'go_gc', job: 'x' });
    const exemplar = { ref: a, labels: [['trace_id', 't']] as [string, string][], value: 1, ts: 1000 };
    const input = withWireForm({ ...batch(T1, [a, a]), side: { exemplars: [exemplar, { ...exemplar, ref: h }], histograms: [{ ref: g, ts: 1000, histogram: {} }] } }, { protocol: 1, body: new Uint8Array(3) });
    await component.consume!(input);
    const got = out.batches[0]!;
    expect(got).not.toBe(input);
    expect(got.wire).toBeUndefined();
    expect(Array.from(got.refs)).toEqual([a, a]);
    expect(got.side!.exemplars!.map((e) => e.ref)).toEqual([a, ref(T1, { __name__: 'up', instance: 'h1' })]);
    expect(got.side!.histograms).toEqual([]);
  });

  it('rejects an invalid rule with the path of the field', () => {
    const r = validate(relabel.config as never, { relabel_configs: [{ action: 'hashmod', source_labels: ['a'], target_label: 'b' }] }, 'processors.relabel/x');
    expect(r.ok ? [] : r.issues.map((i) => i.path)).toEqual(['processors.relabel/x.relabel_configs[0].modulus']);
  });
});

describe('relabel debug endpoint', () => {
  it('shows the series after each rule, and where a rule dropped it', async () => {
    await setup([
      { source_labels: ['instance'], regex: '([^:]+):\\d+', target_label: 'host' },
      { source_labels: ['host'], regex: 'db.*', action: 'drop' },
    ]);
    const server = await startTestServer(host.router);
    try {
      const get = async (series: string) => {
        const res = await fetch(`${server.url}/-/relabel-debug/relabel/t?${new URLSearchParams({ series })}`);
        return { status: res.status, body: (await res.json()) as Record<string, unknown> };
      };
      expect(await get('up{instance="web:9100"}')).toEqual({
        status: 200,
        body: {
          input: 'up{instance="web:9100"}',
          steps: [
            { rule: 0, action: 'replace', series: 'up{host="web",instance="web:9100"}' },
            { rule: 1, action: 'drop', series: 'up{host="web",instance="web:9100"}' },
          ],
          output: 'up{host="web",instance="web:9100"}',
        },
      });
      const dropped = await get('up{instance="db1:5432"}');
      expect(dropped.body.steps).toEqual([
        { rule: 0, action: 'replace', series: 'up{host="db1",instance="db1:5432"}' },
        { rule: 1, action: 'drop', series: null },
      ]);
      expect(dropped.body.output).toBeNull();
      expect((await get('up{job=~"x"}')).status).toBe(400);
    } finally {
      await server.close();
    }
  });
});
