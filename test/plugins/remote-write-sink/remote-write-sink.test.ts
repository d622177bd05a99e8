import { readdirSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withWireForm, type SampleBatch } from '../../../host/batch/sample-batch.js';
import { STALE_NAN } from '../../../host/batch/stale.js';
import { DEFAULT_TENANT, type Tenant } from '../../../host/batch/tenant.js';
import type { Component } from '../../../host/plugin/manifest.js';
import { labelsFromRecord } from '../../../host/series/labels.js';
import { WasmSeriesIndex } from '../../../host/series/wasm-series-index.js';
import { WriteRequestV1 } from '../../../host/wire/remote-write-schema.js';
import { batchOf, type Row } from '../../kit/batches.js';
import { createTestHost, type TestHost } from '../../kit/context.js';
import { RecordingConsumer } from '../../kit/recording-consumer.js';
import manifest from '../../../plugins/remote-write-sink/index.js';
import { encodeV1, snappyLiterals } from '../../wire/bodies.js';
import { Receiver } from './receiver.js';

let host: TestHost;
let receiver: Receiver;
const running: Component[] = [];

beforeEach(async () => {
  host = createTestHost();
  receiver = await Receiver.start();
});
afterEach(async () => {
  for (const c of running.splice(0)) await c.stop?.();
  await receiver.close();
  host.cleanup();
});

async function sink(config: Record<string, unknown>, generation = 1): Promise<Component> {
  const parsed = manifest.config as { parse(v: unknown): unknown };
  const cfg = parsed.parse({ flush_interval: '0s', retry_min_interval: '10ms', retry_max_interval: '50ms', ...config });
  const c = await manifest.create(host.context('remote_write/test', generation).ctx, cfg as never, new RecordingConsumer());
  await c.start?.();
  running.push(c);
  return c;
}

const batch = (rows: Row[], tenant?: Tenant): SampleBatch => batchOf(host.series, rows, tenant);

const up = (job: string, ts: number, v: number): [Record<string, string>, number, number] => [{ __name__: 'up', job }, ts, v];

async function until(cond: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function metric(name: string): Promise<{ labels: Record<string, string | number>; value: number }[]> {
  return ((await host.registry.getSingleMetric(name)?.get())?.values ?? []) as never;
}

describe('remote_write sink', () => {
  it('delivers every sample to every URL with the remote_write 1.0 headers', async () => {
    const second = await Receiver.start();
    try {
      const s = await sink({ urls: [`${receiver.url}/api/v1/write`, { url: `${second.url}/write`, bearer_token: 'secret' }], basic_auth: { username: 'u', password: 'p' } });
      await s.consume!(batch([up('a', 1000, 1), up('b', 1000, 0), up('a', 2000, 1)]));
      await receiver.waitForSamples(3);
      await second.waitForSamples(3);
      for (const r of [receiver, second]) {
        expect(r.rows()).toEqual([
          '{"__name__":"up","job":"a"} 1000 1',
          '{"__name__":"up","job":"b"} 1000 0',
          '{"__name__":"up","job":"a"} 2000 1',
        ]);
        const h = r.requests[0]!.headers;
        expect(h['content-encoding']).toBe('snappy');
        expect(h['content-type']).toBe('application/x-protobuf');
        expect(h['x-prometheus-remote-write-version']).toBe('0.1.0');
      }
      expect(receiver.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
      expect(second.requests[0]!.headers.authorization).toBe('Bearer secret');
    } finally {
      await second.close();
    }
  });

  it('delivers remote_write 1.0 written by the series-index kernel, stale markers bit-exact', async () => {
    host.cleanup();
    host = createTestHost({ series: await WasmSeriesIndex.create() });
    const s = await sink({ urls: [`${receiver.url}/api/v1/write`] });
    await s.consume!(batch([up('a', 1000, 5), up('b', 1000, 0), up('a', 2000, STALE_NAN)]));
    await receiver.waitForSamples(3);
    expect(receiver.rows()).toEqual(['{"__name__":"up","job":"a"} 1000 5', '{"__name__":"up","job":"b"} 1000 0', '{"__name__":"up","job":"a"} 2000 NaN']);
    const all = Buffer.concat(receiver.requests.map((r) => r.raw));
    expect(all.indexOf(Buffer.from([0x09, 0x02, 0, 0, 0, 0, 0, 0xf0, 0x7f]))).toBeGreaterThan(0);
  });

  it('speaks remote_write 2.0 when asked, stale markers bit-exact', async () => {
    const s = await sink({ urls: [`${receiver.url}/api/v1/write`], protocol: 2 });
    await s.consume!(batch([up('a', 1000, 5), up('a', 2000, STALE_NAN)]));
    await receiver.waitForSamples(2);
    const req = receiver.requests[0]!;
    expect(req.headers['content-type']).toBe('application/x-protobuf;proto=io.prometheus.write.v2.Request');
    expect(req.headers['x-prometheus-remote-write-version']).toBe('2.0.0');
    expect(req.series[0]!.labels).toEqual({ __name__: 'up', job: 'a' });
    const all = Buffer.concat(receiver.requests.map((r) => r.raw));
    expect(all.indexOf(Buffer.from([0x02, 0, 0, 0, 0, 0, 0xf0, 0x7f]))).toBeGreaterThan(0);
  });

  it('sends a batch that holds only a native histogram, and counts it as a sample', async () => {
    const s = await sink({ urls: [`${receiver.url}/w`] });
    const ref = host.series.resolve(DEFAULT_TENANT, labelsFromRecord({ __name__: 'latency_seconds' }));
    const histogram = { countInt: 3, sum: 1.5, schema: 0, positiveSpans: [{ offset: 0, length: 1 }], positiveDeltas: [3] };
    await s.consume!({ ...batch([]), side: { histograms: [{ ref, ts: 5000, histogram }] } });
    await until(() => receiver.requests.length === 1);
    const decoded = WriteRequestV1.toObject(WriteRequestV1.decode(receiver.requests[0]!.raw), { longs: Number }) as { timeseries: { histograms: unknown[] }[] };
    expect(decoded.timeseries[0]!.histograms).toMatchObject([{ ...histogram, timestamp: 5000 }]);
    await until(async () => (await metric('sluice_remote_write_samples_sent_total'))[0]?.value === 1);
  });

  it('sends the request a batch was decoded from byte for byte, and counts forwarded and encoded blocks', async () => {
    const s = await sink({ urls: [`${receiver.url}/w`], concurrency: 1 });
    const rows = batch([up('a', 1000, 1), up('b', 1000, 0)]);
    const body = snappyLiterals(encodeV1([{ labels: [['__name__', 'up'], ['job', 'a']], samples: [[1000, 1]] }, { labels: [['__name__', 'up'], ['job', 'b']], samples: [[1000, 0]] }]));
    await s.consume!(withWireForm(rows, { protocol: 1, body }));
    await receiver.waitForSamples(2);
    expect(Buffer.from(receiver.requests[0]!.body)).toEqual(Buffer.from(body));
    await s.consume!(batch([up('a', 2000, 1)]));
    await receiver.waitForSamples(3);
    expect(receiver.rows()).toEqual(['{"__name__":"up","job":"a"} 1000 1', '{"__name__":"up","job":"b"} 1000 0', '{"__name__":"up","job":"a"} 2000 1']);
    const blocks = await metric('sluice_remote_write_blocks_total');
    expect(Object.fromEntries(blocks.map((b) => [b.labels.how, b.value]))).toEqual({ forwarded: 1, encoded: 1 });
    await until(async () => (await metric('sluice_remote_write_samples_sent_total'))[0]?.value === 3);
  });

  it('puts the batch tenant into URLs with {tenant}, one request per tenant', async () => {
    const s = await sink({ urls: [`${receiver.url}/insert/{tenant}/prometheus/api/v1/write`], flush_interval: '50ms' });
    await s.consume!(batch([up('a', 1000, 1)], { accountId: 7, projectId: 3 }));
    await s.consume!(batch([up('a', 1000, 2)], { accountId: 9, projectId: 0 }));
    await receiver.waitForSamples(2);
    expect(receiver.requests.map((r) => r.path).sort()).toEqual(['/insert/7:3/prometheus/api/v1/write', '/insert/9:0/prometheus/api/v1/write']);
  });

  it('merges queued blocks into requests of at most max_batch_samples', async () => {
    const s = await sink({ urls: [`${receiver.url}/w`], max_batch_samples: 4, flush_interval: '1h', concurrency: 1 });
    for (let i = 0; i < 10; i++) await s.consume!(batch([up('a', 1000 * i, i)]));
    // Two full requests go at once; the last two samples wait for the flush interval.
    await receiver.waitForSamples(8);
    expect(receiver.requests.map((r) => r.series.reduce((n, x) => n + x.samples.length, 0))).toEqual([4, 4]);
    expect(receiver.rows().map((r) => r.split(' ')[1])).toEqual(['0', '1000', '2000', '3000', '4000', '5000', '6000', '7000']);
  });

  it('retries 5xx and 429 until the endpoint takes the data, keeping the order', async () => {
    let refusals = 4;
    receiver.answer = () => (refusals-- > 0 ? (refusals % 2 ? 503 : 429) : 204);
    // One sender: with more, two requests may be in flight and arrive in either order.
    const s = await sink({ urls: [`${receiver.url}/w`], concurrency: 1 });
    await s.consume!(batch([up('a', 1000, 1)]));
    await s.consume!(batch([up('a', 2000, 2)]));
    await receiver.waitForSamples(2);
    expect(receiver.rows().map((r) => r.split(' ')[1])).toEqual(['1000', '2000']);
    expect((await metric('sluice_remote_write_retries_total'))[0]!.value).toBe(4);
  });

  it('drops and counts what a 4xx refuses, then carries on', async () => {
    let first = true;
    receiver.answer = () => (first ? ((first = false), 400) : 204);
    const s = await sink({ urls: [`${receiver.url}/w`], concurrency: 1 });
    await s.consume!(batch([up('a', 1000, 1), up('b', 1000, 1)]));
    await s.consume!(batch([up('a', 2000, 2)]));
    await receiver.waitForSamples(1);
    expect(receiver.rows()).toEqual(['{"__name__":"up","job":"a"} 2000 2']);
    const dropped = await metric('sluice_remote_write_samples_dropped_total');
    expect(dropped.find((d) => d.labels.reason === 'rejected')?.value).toBe(2);
  });

  it('keeps data on disk through an outage and a restart and delivers it once, in order', async () => {
    receiver.answer = () => 503;
    const config = { urls: [`${receiver.url}/w`], concurrency: 1, retry_min_interval: '20ms', retry_max_interval: '20ms' };
    const s = await sink(config);
    for (let i = 0; i < 20; i++) await s.consume!(batch([up('a', 1000 * i, i)]));
    await s.stop!();
    receiver.answer = () => 204;
    await sink(config, 2);
    await receiver.waitForSamples(20);
    await new Promise((r) => setTimeout(r, 100));
    expect(receiver.rows().map((r) => Number(r.split(' ')[2]))).toEqual([...Array(20).keys()]);
  });

  it('hands its queue to the next generation on hot swap, which delivers everything once', async () => {
    receiver.answer = () => 503;
    const config = { urls: [`${receiver.url}/w`], concurrency: 1, retry_min_interval: '20ms', retry_max_interval: '20ms' };
    const old = await sink(config);
    for (let i = 0; i < 10; i++) await old.consume!(batch([up('a', 1000 * i, i)]));
    // The host's order: snapshot the old, start the new beside it, then stop the old.
    expect(await old.snapshot!()).toBeUndefined();
    const next = await sink(config, 2);
    await old.stop!();
    receiver.answer = () => 204;
    await next.consume!(batch([up('a', 10_000, 10)]));
    await receiver.waitForSamples(11);
    await new Promise((r) => setTimeout(r, 100));
    expect(receiver.rows().map((r) => Number(r.split(' ')[2]))).toEqual([...Array(11).keys()]);
  });

  it('takes its queue back when a swap fails after the snapshot', async () => {
    const s = await sink({ urls: [`${receiver.url}/w`] });
    await s.snapshot!();
    await s.consume!(batch([up('a', 1000, 1)]));
    await receiver.waitForSamples(1);
    expect(receiver.rows()).toEqual(['{"__name__":"up","job":"a"} 1000 1']);
  });

  it('stops twice, stops without starting, and refuses batches once stopped', async () => {
    const parsed = (manifest.config as { parse(v: unknown): unknown }).parse({ urls: [`${receiver.url}/w`] });
    const never = await manifest.create(host.context('remote_write/never').ctx, parsed as never, new RecordingConsumer());
    await never.stop!();
    const s = await sink({ urls: [`${receiver.url}/w`] });
    await s.stop!();
    await s.stop!();
    expect(() => s.consume!(batch([up('a', 1, 1)]))).toThrow(/shutting down/);
  });

  it('drops the oldest queued data past max_disk_usage_per_url and counts it', async () => {
    receiver.answer = () => 503;
    const s = await sink({ urls: [`${receiver.url}/w`], max_disk_usage_per_url: 4096, queue_segment_size: 1024, retry_min_interval: '1h', retry_max_interval: '1h' });
    for (let i = 0; i < 200; i++) await s.consume!(batch([up(`job-${i}`, 1000, i)]));
    const dropped = await metric('sluice_remote_write_samples_dropped_total');
    const onDisk = (await metric('sluice_remote_write_queue_disk_bytes'))[0]!.value;
    expect(dropped.find((d) => d.labels.reason === 'disk_limit')?.value).toBeGreaterThan(100);
    expect(onDisk).toBeLessThanOrEqual(4096);
  });

  it('keeps one queue folder per URL under tmp_data_path', async () => {
    const s = await sink({ urls: [`${receiver.url}/a`, `${receiver.url}/b`], tmp_data_path: `${host.dataRoot}/queues` });
    await s.consume!(batch([up('a', 1, 1)]));
    expect(readdirSync(`${host.dataRoot}/queues`)).toHaveLength(2);
  });

  it('refuses unknown config keys and accepts its example', () => {
    expect((manifest.config as import('zod').ZodType).safeParse({ urls: ['http://x/w'], max_batch_sample: 3 }).success).toBe(false);
    expect((manifest.config as import('zod').ZodType).safeParse(manifest.example).success).toBe(true);
  });
});
