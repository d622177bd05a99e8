import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Component } from '../../../host/plugin/manifest.js';
import manifest from '../../../plugins/import-source/index.js';
import { createTestHost, type TestHost } from '../../kit/context.js';
import { startTestServer } from '../../kit/http.js';
import { RecordingConsumer } from '../../kit/recording-consumer.js';

let host: TestHost;
let server: { url: string; close(): Promise<void> };
let sink: RecordingConsumer;
let source: Component;

async function setup(config: Record<string, unknown> = {}): Promise<void> {
  host = createTestHost();
  sink = new RecordingConsumer();
  source = await manifest.create(host.context('import/test').ctx, (manifest.config as any).parse(config), sink);
  await source.start?.();
  server = await startTestServer(host.router);
}

afterEach(async () => {
  await server?.close();
  host?.cleanup();
});

function post(path: string, body: string | Uint8Array, headers: Record<string, string> = { 'content-type': 'text/plain; version=0.0.4' }): Promise<Response> {
  return fetch(server.url + path, { method: 'POST', body, headers });
}

const EXPOSITION = ['# HELP jobs_total Jobs run.', '# TYPE jobs_total counter', 'jobs_total{queue="a"} 5 1700000000000', 'jobs_total{queue="b"} 7', 'temperature NaN'].join('\n');

describe('import source', () => {
  beforeEach(() => setup());

  it('accepts text exposition with 204, timestamping samples without one from the clock', async () => {
    const res = await post('/api/v1/import/prometheus', EXPOSITION);
    expect(res.status).toBe(204);
    const now = host.clock.now();
    expect(sink.bySeries(host.series)).toEqual({
      'jobs_total{queue="a"}': [[1700000000000, 5]],
      'jobs_total{queue="b"}': [[now, 7]],
      'temperature{}': [[now, NaN]],
    });
    expect(sink.batches[0]!.side!.metadata).toEqual([{ metricFamilyName: 'jobs_total', type: 'counter', help: 'Jobs run.', unit: '' }]);
  });

  it('gives its batches no wire form: a text body is nothing a remote_write sink could send on', async () => {
    expect((await post('/api/v1/import/prometheus', EXPOSITION)).status).toBe(204);
    expect(sink.batches).toHaveLength(1);
    expect(sink.batches[0]!.wire).toBeUndefined();
  });

  it('adds extra_label query args, replacing labels of the same name, and honours timestamp', async () => {
    const res = await post('/api/v1/import/prometheus?extra_label=env=prod&extra_label=queue=z&timestamp=1700000100', 'jobs_total{queue="a"} 1\nup 1 42');
    expect(res.status).toBe(204);
    expect(sink.bySeries(host.series)).toEqual({
      'jobs_total{env="prod",queue="z"}': [[1700000100000, 1]],
      'up{env="prod",queue="z"}': [[42, 1]],
    });
  });

  it('accepts a gzipped body', async () => {
    const res = await post('/api/v1/import/prometheus', gzipSync(Buffer.from(EXPOSITION)), { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
    expect(res.status).toBe(204);
    expect(sink.samples()).toHaveLength(3);
  });

  it('reads OpenMetrics bodies with second timestamps and exemplars', async () => {
    const body = '# TYPE rpc counter\nrpc_total 3 1700000000.5 # {trace_id="t1"} 1 1700000000.25\n# EOF\n';
    const res = await post('/api/v1/import/prometheus', body, { 'content-type': 'application/openmetrics-text; version=1.0.0' });
    expect(res.status).toBe(204);
    expect(sink.samples()[0]!.ts).toBe(1700000000500);
    expect(sink.batches[0]!.side!.exemplars).toEqual([{ ref: sink.batches[0]!.refs[0], labels: [['trace_id', 't1']], value: 1, ts: 1700000000250 }]);
  });

  it('refuses a malformed line with 400 and its line number, and keeps nothing of the body', async () => {
    const res = await post('/api/v1/import/prometheus', 'good 1\nalso_good 2\nbad{x="1" 3\n');
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/^line 3: /);
    expect(sink.batches).toHaveLength(0);
  });

  it('reads a body posted by curl --data-binary as the text format', async () => {
    const res = await post('/api/v1/import/prometheus', 'curl_posted 1 1000', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(204);
    expect(sink.bySeries(host.series)).toEqual({ 'curl_posted{}': [[1000, 1]] });
  });

  it('refuses bad gzip, bad UTF-8, a bad extra_label, JSON and an unknown encoding', async () => {
    expect((await post('/api/v1/import/prometheus', Uint8Array.from([1, 2, 3]), { 'content-encoding': 'gzip' })).status).toBe(400);
    const badUtf8 = await post('/api/v1/import/prometheus', Uint8Array.from([0x6d, 0x7b, 0x61, 0x3d, 0x22, 0xff, 0x22, 0x7d, 0x20, 0x31]));
    expect(badUtf8.status).toBe(400);
    expect(await badUtf8.text()).toMatch(/UTF-8/);
    expect((await post('/api/v1/import/prometheus?extra_label=bad-name=x', 'm 1')).status).toBe(400);
    expect((await post('/api/v1/import/prometheus', '{"metric": 1}', { 'content-type': 'application/json' })).status).toBe(400);
    expect((await post('/api/v1/import/prometheus', 'm 1', { 'content-encoding': 'br' })).status).toBe(415);
  });

  it('writes into the tenant of the path', async () => {
    expect((await post('/insert/5:6/prometheus/api/v1/import/prometheus', 'm 1')).status).toBe(204);
    expect(sink.batches[0]!.tenant).toEqual({ accountId: 5, projectId: 6 });
  });
});

describe('import source limits', () => {
  it('answers 413 when a gzip body inflates past max_request_bytes', async () => {
    await setup({ max_request_bytes: 1000 });
    const bomb = gzipSync(Buffer.from(`m{a="${'x'.repeat(50_000)}"} 1`));
    expect(bomb.length).toBeLessThan(1000);
    const res = await post('/api/v1/import/prometheus', bomb, { 'content-encoding': 'gzip' });
    expect(res.status).toBe(413);
  });

  it('applies the label limits of remote_write with the line number', async () => {
    await setup({ max_label_value_length: 10 });
    const res = await post('/api/v1/import/prometheus', `ok 1\nm{a="${'x'.repeat(11)}"} 1`);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/longer than 10 bytes \(max_label_value_length\) \(line 2\)/);
  });
});
