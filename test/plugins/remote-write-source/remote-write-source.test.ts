import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SampleBatch } from '../../../host/batch/sample-batch.js';
import { BackpressureError } from '../../../host/errors.js';
import type { Component, Consumer } from '../../../host/plugin/manifest.js';
import type { SeriesIndex } from '../../../host/series/series-index.js';
import { WasmSeriesIndex } from '../../../host/series/wasm-series-index.js';
import manifest from '../../../plugins/remote-write-source/index.js';
import { createTestHost, type TestHost } from '../../kit/context.js';
import { startTestServer } from '../../kit/http.js';
import { RecordingConsumer } from '../../kit/recording-consumer.js';
import { encodeV1, encodeV2, replaceDouble, snappyCompress, V2_CONTENT_TYPE, type TestSeries } from '../../wire/bodies.js';

const V1 = { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' };
const V2 = { 'content-type': V2_CONTENT_TYPE, 'content-encoding': 'snappy' };

let host: TestHost;
let server: { url: string; close(): Promise<void> };
let sink: RecordingConsumer;
let source: Component;
let downstream: Consumer;

async function setup(config: Record<string, unknown> = {}, consumer?: Consumer, series?: SeriesIndex): Promise<void> {
  host = createTestHost(series ? { series } : {});
  sink = new RecordingConsumer();
  downstream = consumer ?? sink;
  const parsed = (manifest.config as any).parse(config);
  source = await manifest.create(host.context('remote_write/test').ctx, parsed, { consume: (b) => downstream.consume(b) });
  await source.start?.();
  server = await startTestServer(host.router);
}

afterEach(async () => {
  await server?.close();
  host?.cleanup();
});

function post(path: string, body: Uint8Array | string, headers: Record<string, string> = V1): Promise<Response> {
  return fetch(server.url + path, { method: 'POST', body, headers });
}

/** The value of one labelled series of a counter in the host registry. */
async function counter(name: string, labels: Record<string, string>): Promise<number | undefined> {
  const metric = await host.registry.getSingleMetric(name)!.get();
  const row = metric.values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val) && Object.keys(v.labels).length === Object.keys(labels).length);
  return row?.value;
}

const up = (instance: string, samples: [number, number][]): TestSeries => ({ labels: [['__name__', 'up'], ['instance', instance], ['job', 'node']], samples });

describe('remote_write source', () => {
  beforeEach(() => setup());

  it('accepts a v1 request with 204 and passes its samples downstream', async () => {
    const res = await post('/api/v1/write', snappyCompress(encodeV1([up('a:1', [[1000, 1], [2000, 0]]), up('b:1', [[1000, 1]])])));
    expect(res.status).toBe(204);
    expect(sink.bySeries(host.series)).toEqual({
      'up{instance="a:1",job="node"}': [[1000, 1], [2000, 0]],
      'up{instance="b:1",job="node"}': [[1000, 1]],
    });
    expect(res.headers.get('x-prometheus-remote-write-samples-written')).toBeNull();
  });

  it('accepts v1 without Content-Type or Content-Encoding, as old senders post it', async () => {
    const res = await fetch(server.url + '/prometheus/api/v1/write', { method: 'POST', body: snappyCompress(encodeV1([up('a:1', [[5, 5]])])) });
    expect(res.status).toBe(204);
    expect(sink.samples()).toHaveLength(1);
  });

  it('answers v2 with 204 and the written headers for samples, histograms and exemplars', async () => {
    const body = encodeV2([
      { ...up('a:1', [[1000, 3]]), exemplars: [{ labels: [['trace_id', 'f00']], value: 3, ts: 1000 }] },
      { labels: [['__name__', 'lat'], ['job', 'x']], histograms: [{ countInt: 1, sum: 2, schema: 0, timestamp: 1000 }] },
    ]);
    const res = await post('/api/v1/write', snappyCompress(body), V2);
    expect(res.status).toBe(204);
    expect(res.headers.get('x-prometheus-remote-write-samples-written')).toBe('1');
    expect(res.headers.get('x-prometheus-remote-write-histograms-written')).toBe('1');
    expect(res.headers.get('x-prometheus-remote-write-exemplars-written')).toBe('1');
    expect(sink.batches[0]!.side!.histograms).toHaveLength(1);
  });

  it('answers a refused v2 request with zero written in its headers', async () => {
    const res = await post('/api/v1/write', snappyCompress(encodeV2([{ labels: [['job', 'x'], ['__name__', 'up']], samples: [[1, 1]] }])), V2);
    expect(res.status).toBe(400);
    expect(res.headers.get('x-prometheus-remote-write-samples-written')).toBe('0');
    expect(res.headers.get('x-prometheus-remote-write-histograms-written')).toBe('0');
    expect(res.headers.get('x-prometheus-remote-write-exemplars-written')).toBe('0');
  });

  it('passes the stale marker through HTTP bit-exact', async () => {
    const raw = replaceDouble(encodeV1([up('a:1', [[1000, 4242.5]])]), 4242.5, 0x7ff0000000000002n);
    expect((await post('/api/v1/write', snappyCompress(raw))).status).toBe(204);
    const v = sink.batches[0]!.values;
    expect(new BigUint64Array(v.buffer, v.byteOffset, 1)[0]).toBe(0x7ff0000000000002n);
  });

  it('refuses bad snappy, bad protobuf and invalid labels with 400 and the reason', async () => {
    const badSnappy = await post('/api/v1/write', Uint8Array.from([10, 0xff, 0xff, 0xff]));
    expect(badSnappy.status).toBe(400);
    expect(await badSnappy.text()).toMatch(/bad snappy/);
    const badProto = await post('/api/v1/write', snappyCompress(Uint8Array.from([0x0a, 0x7f, 0x01])));
    expect(badProto.status).toBe(400);
    expect(await badProto.text()).toMatch(/protobuf|claims/);
    for (const [labels, reason] of [
      [[['job', 'x'], ['__name__', 'up']], /not sorted/],
      [[['__name__', 'up'], ['a', '1'], ['a', '1']], /duplicate label name/],
      [[['', 'x']], /empty label name/],
    ] as [[string, string][], RegExp][]) {
      const res = await post('/api/v1/write', snappyCompress(encodeV1([{ labels, samples: [[1, 1]] }])));
      expect(res.status).toBe(400);
      expect(await res.text()).toMatch(reason);
    }
    expect(sink.batches).toHaveLength(0);
  });

  it('refuses an unknown content type, proto or encoding with 415', async () => {
    const body = snappyCompress(encodeV1([up('a:1', [[1, 1]])]));
    const cases = [
      { 'content-type': 'application/json', 'content-encoding': 'snappy' },
      { 'content-type': 'application/x-protobuf;proto=io.prometheus.write.v3.Request', 'content-encoding': 'snappy' },
      { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' },
    ];
    for (const headers of cases) {
      const res = await post('/api/v1/write', body, headers);
      expect(res.status).toBe(415);
      expect(await res.text()).toMatch(/unsupported/);
    }
  });

  it('refuses a series with too many labels as a label bomb with 400', async () => {
    const labels: [string, string][] = [['__name__', 'm'], ...Array.from({ length: 150 }, (_, i) => [`l${String(i).padStart(3, '0')}`, 'v'] as [string, string])];
    const res = await post('/api/v1/write', snappyCompress(encodeV1([{ labels, samples: [[1, 1]] }])));
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/max_labels_per_series/);
  });

  it('counts requests by code and decode errors by reason', async () => {
    await post('/api/v1/write', snappyCompress(encodeV1([up('a:1', [[1, 1]])])));
    await post('/api/v1/write', Uint8Array.from([5, 1, 2]));
    const component = 'remote_write/test';
    expect(await counter('sluice_source_requests_total', { code: '204', component })).toBe(1);
    expect(await counter('sluice_source_requests_total', { code: '400', component })).toBe(1);
    expect(await counter('sluice_source_decode_errors_total', { reason: 'snappy', component })).toBe(1);
    expect(await counter('sluice_source_samples_received_total', { component })).toBe(1);
  });
});

describe('remote_write source limits and batching', () => {
  it('answers 413 for a body over max_request_bytes, before or after decompression', async () => {
    await setup({ max_request_bytes: 200 });
    const series = Array.from({ length: 20 }, (_, i) => up(`host-${i}:9100`, [[1, i]]));
    const raw = encodeV1(series);
    const compressed = snappyCompress(raw);
    expect(compressed.length).toBeLessThan(raw.length);
    const decompressedTooBig = await post('/api/v1/write', compressed.length <= 200 ? compressed : compressed.subarray(0, 200));
    expect(decompressedTooBig.status).toBe(413);
    const tooBig = await post('/api/v1/write', new Uint8Array(201));
    expect(tooBig.status).toBe(413);
    expect(await tooBig.text()).toMatch(/max_request_bytes/);
  });

  it('splits a large request into batches of at most max_batch_samples', async () => {
    await setup({ max_batch_samples: 3 });
    const res = await post('/api/v1/write', snappyCompress(encodeV1([up('a:1', [[1, 1], [2, 2], [3, 3], [4, 4], [5, 5]]), up('b:1', [[1, 1], [2, 2]])])));
    expect(res.status).toBe(204);
    expect(sink.batches.map((b) => b.length)).toEqual([3, 3, 1]);
  });

  it('answers 503 with Retry-After, never 429, when the edge is full', async () => {
    let accepted = 0;
    await setup({ max_batch_samples: 2 }, {
      async consume(_b: SampleBatch) {
        if (accepted++ >= 1) throw new BackpressureError('edge full', 7);
      },
    });
    const res = await post('/api/v1/write', snappyCompress(encodeV2([up('a:1', [[1, 1], [2, 2], [3, 3], [4, 4]])])), V2);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(res.headers.get('x-prometheus-remote-write-samples-written')).toBe('2');
  });

  it('answers 500 for an unexpected downstream failure, so the sender retries', async () => {
    await setup({}, { consume: async () => Promise.reject(new Error('disk on fire')) });
    const res = await post('/api/v1/write', snappyCompress(encodeV1([up('a:1', [[1, 1]])])));
    expect(res.status).toBe(500);
    expect(await res.text()).toMatch(/disk on fire/);
  });

  it('refuses unknown config keys and accepts its example', () => {
    expect((manifest.config as any).safeParse({ max_request_byte: 10 }).success).toBe(false);
    expect((manifest.config as any).safeParse(manifest.example).success).toBe(true);
  });
});

describe('remote_write source: the request as received', () => {
  const request = () => snappyCompress(encodeV1([up('a:1', [[1000, 1], [2000, 0]]), up('b:1', [[1000, 1]])]));

  for (const decoder of ['TypeScript', 'kernel'] as const) {
    it(`passes a v1 request decoded into one batch on with its body as received (${decoder} decoder)`, async () => {
      await setup({}, undefined, decoder === 'kernel' ? await WasmSeriesIndex.create() : undefined);
      expect(host.series.kernel !== undefined).toBe(decoder === 'kernel');
      const body = request();
      expect((await post('/api/v1/write', body)).status).toBe(204);
      expect(sink.batches).toHaveLength(1);
      const { wire } = sink.batches[0]!;
      expect(wire?.protocol).toBe(1);
      expect(Buffer.from(wire!.body)).toEqual(Buffer.from(body));
      expect(sink.bySeries(host.series)).toEqual({ 'up{instance="a:1",job="node"}': [[1000, 1], [2000, 0]], 'up{instance="b:1",job="node"}': [[1000, 1]] });
    });
  }

  it('passes no body on with a request split into several batches, nor with remote_write 2.0', async () => {
    await setup({ max_batch_samples: 2 });
    expect((await post('/api/v1/write', request())).status).toBe(204);
    expect(sink.batches.map((b) => b.length)).toEqual([2, 1]);
    expect((await post('/api/v1/write', snappyCompress(encodeV2([up('a:1', [[1000, 1]])])), V2)).status).toBe(204);
    expect(sink.batches).toHaveLength(3);
    expect(sink.batches.map((b) => b.wire)).toEqual([undefined, undefined, undefined]);
  });
});

describe('remote_write source tenants', () => {
  const body = () => snappyCompress(encodeV1([up('a:1', [[1, 1]])]));

  it('takes the tenant from the VictoriaMetrics cluster path', async () => {
    await setup();
    expect((await post('/insert/12:3/prometheus/api/v1/write', body())).status).toBe(204);
    expect((await post('/insert/7/prometheus/api/v1/write', body())).status).toBe(204);
    expect(sink.batches.map((b) => b.tenant)).toEqual([{ accountId: 12, projectId: 3 }, { accountId: 7, projectId: 0 }]);
    expect(host.series.tenant(sink.batches[0]!.refs[0]!)).toEqual({ accountId: 12, projectId: 3 });
    expect(sink.batches[0]!.refs[0]).not.toBe(sink.batches[1]!.refs[0]);
    const bad = await post('/insert/abc/prometheus/api/v1/write', body());
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/invalid tenant/);
  });

  it('maps a bearer token to its tenant and never lets the path override it', async () => {
    await setup({ tenants: { tokens: { s3cret: '12:3' }, require_auth: true } });
    const auth = { ...V1, authorization: 'Bearer s3cret' };
    expect((await post('/api/v1/write', body(), auth)).status).toBe(204);
    expect(sink.batches[0]!.tenant).toEqual({ accountId: 12, projectId: 3 });
    const other = await post('/insert/99/prometheus/api/v1/write', body(), auth);
    expect(other.status).toBe(401);
    expect(await other.text()).toMatch(/cannot write to tenant 99:0/);
    expect((await post('/insert/12:3/prometheus/api/v1/write', body(), auth)).status).toBe(204);
    expect(sink.batches).toHaveLength(2);
  });

  it('answers 401 without a token or with an unknown one when auth is required', async () => {
    await setup({ tenants: { tokens: { s3cret: '1' }, require_auth: true } });
    const none = await post('/api/v1/write', body());
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect((await post('/api/v1/write', body(), { ...V1, authorization: 'Bearer nope' })).status).toBe(401);
    expect((await post('/insert/1/prometheus/api/v1/write', body())).status).toBe(401);
    expect(sink.batches).toHaveLength(0);
  });

  it('ignores an Authorization header when no tokens are configured', async () => {
    await setup();
    expect((await post('/insert/4/prometheus/api/v1/write', body(), { ...V1, authorization: 'Basic dXNlcjpwYXNz' })).status).toBe(204);
    expect(sink.batches[0]!.tenant).toEqual({ accountId: 4, projectId: 0 });
  });

  it('refuses a tenant mapping that is not <account>[:<project>] at config time', () => {
    expect((manifest.config as any).safeParse({ tenants: { tokens: { t: 'team-a' } } }).success).toBe(false);
    expect((manifest.config as any).safeParse({ tenants: { require_auth: true } }).success).toBe(false);
  });
});
