import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SampleBatch } from '../../../host/batch/sample-batch.js';
import { STALE_NAN } from '../../../host/batch/stale.js';
import type { Tenant } from '../../../host/batch/tenant.js';
import type { Component } from '../../../host/plugin/manifest.js';
import manifest from '../../../plugins/exposition-sink/index.js';
import { parseExposition } from '../../../host/wire/text-parser.js';
import { batchOf, type Row } from '../../kit/batches.js';
import { createTestHost, type TestHost } from '../../kit/context.js';
import { startTestServer } from '../../kit/http.js';
import { RecordingConsumer } from '../../kit/recording-consumer.js';

let host: TestHost;
let server: Awaited<ReturnType<typeof startTestServer>>;
let sink: Component;

async function start(config: Record<string, unknown> = {}): Promise<void> {
  const cfg = (manifest.config as { parse(v: unknown): unknown }).parse(config);
  sink = await manifest.create(host.context('exposition/test').ctx, cfg as never, new RecordingConsumer());
  await sink.start?.();
}

beforeEach(async () => {
  host = createTestHost();
  server = await startTestServer(host.router);
});
afterEach(async () => {
  await sink?.stop?.();
  await server.close();
  host.cleanup();
});

const batch = (rows: Row[], tenant?: Tenant): SampleBatch => batchOf(host.series, rows, tenant);

async function federate(...match: string[]): Promise<{ status: number; body: string; type: string | null }> {
  const q = new URLSearchParams();
  for (const m of match) q.append('match[]', m);
  const res = await fetch(`${server.url}/federate?${q}`);
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type') };
}

describe('exposition sink', () => {
  it('serves the latest value and timestamp of each series, grouped by metric with TYPE lines', async () => {
    await start();
    await sink.consume!(batch([
      [{ __name__: 'up', job: 'b' }, 1000, 1],
      [{ __name__: 'cpu', job: 'a', mode: 'idle' }, 1000, 0.5],
      [{ __name__: 'up', job: 'a' }, 1000, 0],
      [{ __name__: 'up', job: 'b' }, 2000, 0],
      [{ __name__: 'up', job: 'a' }, 500, 7],
    ]));
    const r = await federate('{__name__=~".+"}');
    expect(r.status).toBe(200);
    expect(r.type).toContain('text/plain; version=0.0.4');
    expect(r.body).toBe(
      '# TYPE cpu untyped\ncpu{job="a",mode="idle"} 0.5 1000\n' +
        '# TYPE up untyped\nup{job="a"} 0 1000\nup{job="b"} 0 2000\n',
    );
  });

  it('filters by match[] selectors with =, !=, =~ and !~, serving the union', async () => {
    await start();
    await sink.consume!(batch([
      [{ __name__: 'up', job: 'api', env: 'prod' }, 1, 1],
      [{ __name__: 'up', job: 'db', env: 'dev' }, 1, 1],
      [{ __name__: 'http_requests_total', job: 'api', env: 'prod' }, 1, 5],
      [{ __name__: 'http_errors_total', job: 'web' }, 1, 2],
    ]));
    const lines = (r: { body: string }) => r.body.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(lines(await federate('up{env!="dev"}'))).toEqual(['up{env="prod",job="api"} 1 1']);
    expect(lines(await federate('{__name__=~"http_.+", job!~"web|db"}', 'up{job="db"}'))).toEqual([
      'http_requests_total{env="prod",job="api"} 5 1',
      'up{env="dev",job="db"} 1 1',
    ]);
  });

  it('answers 400 without match[] or with a bad selector', async () => {
    await start();
    expect((await federate()).status).toBe(400);
    const bad = await federate('up{job=~"("}');
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('match[]');
    expect((await federate('rate(up[5m])')).status).toBe(400);
  });

  it('forgets a series on its stale marker and after the staleness period', async () => {
    await start({ staleness: '1m' });
    await sink.consume!(batch([[{ __name__: 'a' }, 1000, 1], [{ __name__: 'b' }, 1000, 1]]));
    await sink.consume!(batch([[{ __name__: 'a' }, 2000, STALE_NAN]]));
    expect((await federate('{__name__=~".+"}')).body).toBe('# TYPE b untyped\nb 1 1000\n');
    host.clock.advance(61_000);
    await sink.consume!(batch([[{ __name__: 'c' }, 3000, 3]]));
    expect((await federate('{__name__=~".+"}')).body).toBe('# TYPE c untyped\nc 3 3000\n');
  });

  it('forgets a series the index deletes', async () => {
    await start();
    const b = batch([[{ __name__: 'a' }, 1, 1], [{ __name__: 'b' }, 1, 2]]);
    await sink.consume!(b);
    host.series.delete([b.refs[0]!]);
    expect((await federate('{__name__=~".+"}')).body).toBe('# TYPE b untyped\nb 2 1\n');
  });

  it('tells tenants apart with vm_account_id and vm_project_id, selectable by match[]', async () => {
    await start();
    await sink.consume!(batch([[{ __name__: 'up', job: 'a' }, 1, 1]]));
    await sink.consume!(batch([[{ __name__: 'up', job: 'a' }, 1, 0]], { accountId: 7, projectId: 2 }));
    expect((await federate('up')).body).toBe('# TYPE up untyped\nup{job="a"} 1 1\nup{job="a",vm_account_id="7",vm_project_id="2"} 0 1\n');
    expect((await federate('up{vm_account_id="7"}')).body).toBe('# TYPE up untyped\nup{job="a",vm_account_id="7",vm_project_id="2"} 0 1\n');
  });

  it('holds at most max_series series and counts the samples it refuses', async () => {
    await start({ max_series: 2 });
    await sink.consume!(batch([[{ __name__: 'a' }, 1, 1], [{ __name__: 'b' }, 1, 1], [{ __name__: 'c' }, 1, 1], [{ __name__: 'a' }, 2, 2]]));
    expect((await federate('{__name__=~".+"}')).body).toBe('# TYPE a untyped\na 2 2\n# TYPE b untyped\nb 1 1\n');
    const dropped = (await host.registry.getSingleMetric('sluice_exposition_dropped_samples_total')!.get()).values;
    expect(dropped[0]!.value).toBe(1);
  });

  it('writes HELP and TYPE from the metadata that came with the samples, a histogram under its family', async () => {
    await start();
    const b = batch([
      [{ __name__: 'rpc_seconds_bucket', le: '+Inf' }, 1, 4],
      [{ __name__: 'temperature' }, 1, 21.5],
      [{ __name__: 'rpc_seconds_count' }, 1, 4],
      [{ __name__: 'requests_total' }, 1, 9],
      [{ __name__: 'rpc_seconds_sum' }, 1, 0.5],
      [{ __name__: 'rpc_seconds_bucket', le: '0.1' }, 1, 3],
    ]);
    await sink.consume!({
      ...b,
      side: {
        metadata: [
          { metricFamilyName: 'rpc_seconds', type: 'histogram', help: 'RPC latency.', unit: 'seconds' },
          { metricFamilyName: 'requests', type: 'counter', help: 'Requests served.', unit: '' },
          { metricFamilyName: 'temperature', type: 'gauge', help: '', unit: '' },
        ],
      },
    });
    const { body } = await federate('{__name__=~".+"}');
    expect(body).toBe(
      '# HELP requests_total Requests served.\n# TYPE requests_total counter\nrequests_total 9 1\n' +
        '# HELP rpc_seconds RPC latency.\n# TYPE rpc_seconds histogram\n' +
        'rpc_seconds_bucket{le="+Inf"} 4 1\nrpc_seconds_bucket{le="0.1"} 3 1\nrpc_seconds_count 4 1\nrpc_seconds_sum 0.5 1\n' +
        '# TYPE temperature gauge\ntemperature 21.5 1\n',
    );
    const types: string[] = [];
    parseExposition(body, false, { sample: () => undefined, metadata: (m) => void (m.kind === 'type' && types.push(`${m.name} ${m.text}`)) });
    expect(types).toEqual(['requests_total counter', 'rpc_seconds histogram', 'temperature gauge']);
  });

  it('leaves timestamps out when include_timestamps is false', async () => {
    await start({ include_timestamps: false });
    await sink.consume!(batch([[{ __name__: 'a', x: 'q"\\' }, 1, 1.25]]));
    expect((await federate('a')).body).toBe('# TYPE a untyped\na{x="q\\"\\\\"} 1.25\n');
  });
});
