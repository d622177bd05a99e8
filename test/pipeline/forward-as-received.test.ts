import { afterEach, describe, expect, it } from 'vitest';
import { createHost } from '../kit/test-host.js';
import { Receiver } from '../plugins/remote-write-sink/receiver.js';
import { encodeV1, snappyLiterals, type TestSeries } from '../wire/bodies.js';

/**
 * remote_write in, processors, remote_write out: the sink may send a request on as it was
 * received only while the batch still holds exactly what the request held. The requests here are
 * snappy in a form no compressor writes (snappyLiterals), so bytes that arrive unchanged were
 * passed on, and what the receiving end decodes shows whether a changed batch was encoded.
 */
describe('a remote_write 1.0 request relayed through processors', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function relay(processors: Record<string, unknown>): Promise<{ receiver: Receiver; send(series: TestSeries[]): Promise<Uint8Array>; blocks(): Promise<Record<string, number>> }> {
    const receiver = await Receiver.start();
    cleanups.push(() => receiver.close());
    const { host, cleanup } = await createHost({
      listenAddress: '127.0.0.1:0',
      config: {
        sources: { 'remote_write/in': {} },
        processors,
        sinks: { 'remote_write/out': { urls: [`${receiver.url}/w`], flush_interval: '0s', concurrency: 1 } },
        pipelines: { p: { sources: ['remote_write/in'], processors: Object.keys(processors), sinks: ['remote_write/out'] } },
      },
    });
    await host.start();
    cleanups.push(async () => {
      await host.stop();
      cleanup();
    });
    return {
      receiver,
      async send(series) {
        const body = snappyLiterals(encodeV1(series));
        const res = await fetch(`${host.url}/api/v1/write`, { method: 'POST', body, headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' } });
        expect(res.status).toBe(204);
        return body;
      },
      async blocks() {
        const text = await (await fetch(`${host.url}/metrics`)).text();
        const counts: Record<string, number> = {};
        for (const m of text.matchAll(/^sluice_remote_write_blocks_total\{[^}]*how="(\w+)"[^}]*\} (\d+)$/gm)) counts[m[1]!] = Number(m[2]);
        return counts;
      },
    };
  }

  const now = Date.now();
  const up = (job: string, ts = now, value = 1): TestSeries => ({ labels: [['__name__', 'up'], ['job', job]], samples: [[ts, value]] });
  /** `job value` of every sample the receiving end decoded, sorted. */
  const received = (r: Receiver) => r.requests.flatMap((q) => q.series.flatMap((s) => s.samples.map(([, v]) => `${JSON.stringify(s.labels)} ${v}`))).sort();

  /** Sends `series` and checks that the receiving end got that very request, counted as forwarded. */
  async function expectForwarded({ receiver, send, blocks }: Awaited<ReturnType<typeof relay>>, series: TestSeries[]): Promise<void> {
    const body = await send(series);
    await receiver.waitForSamples(series.reduce((n, s) => n + (s.samples?.length ?? 0), 0));
    expect(receiver.requests).toHaveLength(1);
    expect(Buffer.from(receiver.requests[0]!.body)).toEqual(Buffer.from(body));
    expect(await blocks()).toEqual({ forwarded: 1 });
  }

  it('passes the bytes on unchanged when a filter keeps every sample', async () => {
    await expectForwarded(await relay({ 'filter/window': { max_age: '10m', max_future: '5m' } }), [up('a'), up('b', now, 0)]);
  });

  it('encodes what a filter kept when it dropped a sample', async () => {
    const { receiver, send, blocks } = await relay({ 'filter/window': { max_age: '10m' } });
    const body = await send([up('a'), up('b', now - 3_600_000), up('c')]);
    await receiver.waitForSamples(2);
    expect(received(receiver)).toEqual(['{"__name__":"up","job":"a"} 1', '{"__name__":"up","job":"c"} 1']);
    expect(Buffer.from(receiver.requests[0]!.body)).not.toEqual(Buffer.from(body));
    expect(await blocks()).toEqual({ encoded: 1 });
  });

  it('encodes the relabeled series, not the ones received, and leaves out a dropped one', async () => {
    const { receiver, send } = await relay({
      'relabel/r': {
        relabel_configs: [
          { source_labels: ['job'], regex: 'b', action: 'drop' },
          { target_label: 'env', replacement: 'prod' },
        ],
      },
    });
    await send([up('a'), up('b'), up('c')]);
    await receiver.waitForSamples(2);
    expect(received(receiver)).toEqual(['{"__name__":"up","env":"prod","job":"a"} 1', '{"__name__":"up","env":"prod","job":"c"} 1']);
  });

  it('passes the bytes on unchanged when no relabel rule matches a series of the request', async () => {
    const rules = [
      { source_labels: ['__name__'], regex: 'go_.*', action: 'drop' },
      { source_labels: ['job'], regex: 'node', target_label: 'team', replacement: 'infra' },
      { regex: 'pod_template_hash', action: 'labeldrop' },
    ];
    await expectForwarded(await relay({ 'relabel/r': { relabel_configs: rules } }), [up('a'), up('b', now, 0)]);
  });

  it('encodes the request when a relabel rule renames one of its series, though every sample is kept', async () => {
    const { receiver, send, blocks } = await relay({ 'relabel/r': { relabel_configs: [{ source_labels: ['job'], regex: 'b', target_label: 'team', replacement: 'web' }] } });
    const body = await send([up('a'), up('b', now, 0), up('c')]);
    await receiver.waitForSamples(3);
    expect(received(receiver)).toEqual(['{"__name__":"up","job":"a"} 1', '{"__name__":"up","job":"b","team":"web"} 0', '{"__name__":"up","job":"c"} 1']);
    expect(Buffer.from(receiver.requests[0]!.body)).not.toEqual(Buffer.from(body));
    expect(await blocks()).toEqual({ encoded: 1 });
  });

  it('passes the bytes on unchanged when a route has one target, which gets every series', async () => {
    await expectForwarded(await relay({ 'route/one': { targets: [{ name: 'self', kind: 'local' }] } }), Array.from({ length: 40 }, (_, i) => up(`job-${i}`)));
  });

  it('passes the bytes on unchanged through relabel, filter, route and stream_aggr that leave the request as it is', async () => {
    const processors = {
      'relabel/r': { relabel_configs: [{ source_labels: ['__name__'], regex: 'go_.*', action: 'drop' }] },
      'filter/window': { max_age: '10m', max_future: '5m' },
      'route/one': { targets: [{ name: 'self', kind: 'local' }] },
      'stream_aggr/1m': { rules: [{ match: '{__name__="requests_total"}', interval: '1m', outputs: ['total'] }] },
    };
    await expectForwarded(await relay(processors), [up('a'), up('b', now, 0)]);
  });

  it("encodes only this node's share of the series a route splits off", async () => {
    const other = await Receiver.start();
    cleanups.push(() => other.close());
    const { receiver, send } = await relay({ 'route/shard': { targets: [{ name: 'self', kind: 'local' }, { name: 'other', url: `${other.url}/w` }] } });
    const jobs = Array.from({ length: 40 }, (_, i) => `job-${i}`);
    await send(jobs.map((j) => up(j)));
    await other.waitForSamples(1);
    const theirs = received(other);
    expect(theirs.length).toBeLessThan(40);
    await receiver.waitForSamples(40 - theirs.length);
    const ours = received(receiver);
    expect(ours.length + theirs.length).toBe(40);
    expect([...ours, ...theirs].sort()).toEqual(jobs.map((j) => `{"__name__":"up","job":"${j}"} 1`).sort());
  });

  it('encodes only the samples stream aggregation passes through, not those it aggregates', async () => {
    const { receiver, send, blocks } = await relay({ 'stream_aggr/1m': { rules: [{ match: '{__name__="requests_total"}', interval: '1m', outputs: ['total'] }] } });
    const requests = (path: string): TestSeries => ({ labels: [['__name__', 'requests_total'], ['path', path]], samples: [[now, 5]] });
    await send([requests('/a'), up('a'), requests('/b')]);
    await receiver.waitForSamples(1);
    expect(received(receiver)).toEqual(['{"__name__":"up","job":"a"} 1']);
    expect(await blocks()).toEqual({ encoded: 1 });
  });
});
