import { afterEach, describe, expect, it } from 'vitest';
import { BackpressureError } from '../../../host/errors.js';
import { withWireForm, type SampleBatch } from '../../../host/batch/sample-batch.js';
import { batchOf, startProcessor, T0 } from './kit.js';
import type { TestHost } from '../../kit/context.js';

const rule = { match: '{__name__=~"a|b"}', interval: '1m', outputs: ['count_samples'] };
const rows: [Record<string, string>, number, number][] = [
  [{ __name__: 'a', job: 'x' }, T0 + 1000, 1],
  [{ __name__: 'c', job: 'x' }, T0 + 1000, 2],
  [{ __name__: 'b', job: 'x' }, T0 + 1000, 3],
];

describe('stream_aggr pass-through of input samples', () => {
  const hosts: TestHost[] = [];
  afterEach(() => hosts.splice(0).forEach((h) => h.cleanup()));

  it.each([
    [{}, [2]],
    [{ keep_input: true }, [1, 2, 3]],
    [{ drop_input: true }, []],
    [{ keep_input: true, drop_input: true }, [1, 3]],
  ])('with %j forwards the values %j like vmagent keepInput/dropInput', async (flags, expected) => {
    const { proc, sink, host } = await startProcessor({ rules: [rule], persist_state: false, ...flags });
    hosts.push(host);
    const input = batchOf(host.series, rows);
    const copy = Float64Array.from(input.values);
    await proc.consume(input);
    expect(sink.samples().map((s) => s.value)).toEqual(expected);
    expect(input.values).toEqual(copy); // the received batch is not mutated
    await proc.stop();
  });

  it.each([
    ['no rule matches', {}, rows.filter(([l]) => l.__name__ === 'c')],
    ['keep_input is set', { keep_input: true }, rows],
    ['keep_input and drop_input are set and every row matches', { keep_input: true, drop_input: true }, rows.filter(([l]) => l.__name__ !== 'c')],
  ])('passes on the very batch, wire form included, when %s', async (_, flags, input) => {
    const { proc, sink, host } = await startProcessor({ rules: [rule], persist_state: false, ...flags });
    hosts.push(host);
    const wire = { protocol: 1 as const, body: new Uint8Array([1, 2, 3]) };
    const batch = withWireForm(batchOf(host.series, input), wire);
    await proc.consume(batch);
    expect(sink.batches).toHaveLength(1);
    expect(sink.batches[0]).toBe(batch);
    expect(sink.batches[0]!.wire).toBe(wire);
    await proc.stop();
  });

  it('passes a new batch of the rows left, without the wire form, when a rule takes one row', async () => {
    const { proc, sink, host } = await startProcessor({ rules: [rule], persist_state: false });
    hosts.push(host);
    const batch = withWireForm(batchOf(host.series, [rows[1]!, rows[0]!, [{ __name__: 'd', job: 'y' }, T0 + 2000, 4]]), { protocol: 1, body: new Uint8Array(3) });
    await proc.consume(batch);
    expect(sink.batches).toHaveLength(1);
    expect(sink.batches[0]).not.toBe(batch);
    expect(sink.batches[0]!.wire).toBeUndefined();
    expect(sink.bySeries(host.series)).toEqual({ 'c{job="x"}': [[T0 + 1000, 2]], 'd{job="y"}': [[T0 + 2000, 4]] });
    await proc.stop();
  });

  it.each([
    ['a rule takes one row', {}, [rows[0]!, rows[1]!], ['c{job="x"}']],
    ['a rule takes every row', {}, [rows[0]!], []],
  ])('passes histograms, exemplars and metadata on when %s: no rule aggregates them', async (_, flags, input, floats) => {
    const { proc, sink, host } = await startProcessor({ rules: [rule], persist_state: false, ...flags });
    hosts.push(host);
    const plain = batchOf(host.series, input);
    const a = plain.refs[0]!;
    const side = {
      histograms: [{ ref: a, ts: T0 + 1000, histogram: { count: 3, sum: 1.5, schema: 0 } }],
      exemplars: [{ ref: a, labels: [['trace_id', 'abc']] as [string, string][], value: 1, ts: T0 + 1000 }],
      metadata: [{ metricFamilyName: 'a', type: 'counter', help: 'h', unit: '' }],
    };
    await proc.consume({ ...plain, side });
    expect(sink.batches).toHaveLength(1);
    expect(sink.batches[0]!.side).toEqual(side);
    expect(Object.keys(sink.bySeries(host.series))).toEqual(floats);
    await proc.stop();
  });

  it('drops histograms, exemplars and metadata with drop_input, as it drops every input row', async () => {
    const { proc, sink, host } = await startProcessor({ rules: [rule], persist_state: false, drop_input: true });
    hosts.push(host);
    const plain = batchOf(host.series, rows);
    await proc.consume({ ...plain, side: { metadata: [{ metricFamilyName: 'a', type: 'counter', help: 'h', unit: '' }] } });
    expect(sink.batches).toHaveLength(0);
    await proc.stop();
  });

  it('does not count a batch that downstream refused, so the client retry is counted once', async () => {
    const { proc, sink, host, owned } = await startProcessor({ rules: [rule], persist_state: false });
    hosts.push(host);
    let refuse = true;
    const inner = sink.consume.bind(sink);
    sink.consume = async (b: SampleBatch) => {
      if (refuse) throw new BackpressureError('edge full');
      return inner(b);
    };
    const batch = batchOf(host.series, rows);
    await expect(proc.consume(batch)).rejects.toBeInstanceOf(BackpressureError);
    refuse = false;
    await proc.consume(batch);
    host.clock.set(T0 + 60_000);
    await proc.tick();
    expect(sink.bySeries(host.series)['a:1m_count_samples{job="x"}']).toEqual([[T0 + 60_000, 1]]);
    const metrics = await host.registry.metrics();
    const value = (name: string, ...labels: string[]) =>
      metrics.split('\n').find((l) => l.startsWith(`${name}{`) && labels.every((x) => l.includes(x)))?.split(' ')[1];
    expect(value('sluice_streamaggr_matched_samples_total', 'rule="rule0"')).toBe('2');
    expect(value('sluice_streamaggr_output_samples_total', 'rule="rule0"')).toBe('2');
    expect(value('sluice_streamaggr_state_items', 'rule="rule0"', 'kind="series"')).toBe('2');
    await proc.stop();
    owned.teardown();
  });
});
