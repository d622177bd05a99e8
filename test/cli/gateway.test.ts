import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { SampleBatch } from '../../host/batch/sample-batch.js';
import { decodeReference, encodeV1Reference, type DecodedSeries } from '../../host/wire/encode-reference.js';
import { snappyCompress, snappyUncompress } from '../../host/wire/encode-snappy.js';
import { startSluice, type RunningSluice } from '../kit/sluice-process.js';

/** A remote_write receiver that keeps what it is sent. */
async function startReceiver() {
  const app = Fastify({ bodyLimit: 64 << 20 });
  const received: DecodedSeries[] = [];
  app.addContentTypeParser('application/x-protobuf', { parseAs: 'buffer' }, (_r, body, done) => done(null, body));
  app.post('/api/v1/write', async (req, reply) => {
    received.push(...decodeReference(snappyUncompress(req.body as Buffer), 1));
    return reply.code(204).send();
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url: `${url}/api/v1/write`, received, close: () => app.close() };
}

const labelsOf = (ref: number) => [
  { name: '__name__', value: 'http_requests_total' },
  { name: 'instance', value: `host-${ref}:9100` },
  { name: 'job', value: 'api' },
];

function body(seq: number, series: number): Uint8Array {
  const batch: SampleBatch = {
    tenant: { accountId: 0, projectId: 0 },
    length: series,
    refs: Uint32Array.from({ length: series }, (_, i) => i),
    ts: new Float64Array(series).fill(1_700_000_000_000 + seq * 1000),
    values: new Float64Array(series).fill(seq),
  };
  return snappyCompress(encodeV1Reference(batch, 0, series, labelsOf));
}

async function send(url: string, payload: Uint8Array): Promise<number> {
  const res = await fetch(`${url}/api/v1/write`, { method: 'POST', body: payload, headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' } });
  return res.status;
}

async function until(cond: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the flag-built gateway', () => {
  const stops: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const s of stops.splice(0).reverse()) await s();
  });

  it('forwards remote_write to --remote-write.url, and after SIGTERM and a restart every acknowledged sample has arrived exactly once', { timeout: 120_000 }, async () => {
    const receiver = await startReceiver();
    stops.push(() => receiver.close());
    const data = mkdtempSync(join(tmpdir(), 'sluice-gw-'));
    stops.push(async () => rmSync(data, { recursive: true, force: true }));
    const args = [`--remote-write.url=${receiver.url}`, `--storage.path=${data}`];

    let sluice: RunningSluice = await startSluice(args);
    stops.push(async () => sluice.child.kill('SIGKILL'));
    const series = 50;
    let acked = 0;
    for (let seq = 1; seq <= 20; seq++) if ((await send(sluice.url, body(seq, series))) === 204) acked++;
    expect(acked).toBe(20);
    sluice.child.kill('SIGTERM');
    expect(await sluice.exited).toBe(0);

    sluice = await startSluice(args);
    await until(() => receiver.received.reduce((n, s) => n + s.samples.length, 0) >= acked * series);
    const perSeries = new Map<string, number[]>();
    for (const s of receiver.received) for (const [ts] of s.samples) (perSeries.get(s.labels.instance!) ?? perSeries.set(s.labels.instance!, []).get(s.labels.instance!)!).push(ts);
    expect(perSeries.size).toBe(series);
    for (const ts of perSeries.values()) expect(ts.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => 1_700_000_000_000 + (i + 1) * 1000));
    sluice.child.kill('SIGTERM');
    expect(await sluice.exited).toBe(0);
  });

  it('serves what it receives at /federate when no URL is given', { timeout: 60_000 }, async () => {
    const data = mkdtempSync(join(tmpdir(), 'sluice-gw-'));
    stops.push(async () => rmSync(data, { recursive: true, force: true }));
    const sluice = await startSluice([`--storage.path=${data}`]);
    stops.push(async () => sluice.child.kill('SIGKILL'));
    expect(await send(sluice.url, body(7, 3))).toBe(204);
    const text = await (await fetch(`${sluice.url}/federate?match[]={job="api"}`)).text();
    expect(text).toContain('http_requests_total{instance="host-0:9100",job="api"} 7 1700000007000');
    expect(text.match(/^http_requests_total/gm)).toHaveLength(3);
    const metrics = await (await fetch(`${sluice.url}/metrics`)).text();
    expect(metrics).toMatch(/sluice_kernel_calls_total\{kernel="series_index",function="decodeWriteRequest",implementation="wasm"\} [1-9]/);
    sluice.child.kill('SIGTERM');
    expect(await sluice.exited).toBe(0);
  });
});

describe('--remote-write.shard-by-url', () => {
  it('sends each series to exactly one of the URLs, the same one every time', { timeout: 60_000 }, async () => {
    const a = await startReceiver();
    const b = await startReceiver();
    const data = mkdtempSync(join(tmpdir(), 'sluice-gw-'));
    const sluice = await startSluice([`--remote-write.url=${a.url}`, `--remote-write.url=${b.url}`, '--remote-write.shard-by-url', `--storage.path=${data}`]);
    try {
      for (let seq = 1; seq <= 3; seq++) expect(await send(sluice.url, body(seq, 40))).toBe(204);
      const instances = (r: { received: DecodedSeries[] }) => new Set(r.received.map((s) => s.labels.instance!));
      const onA = instances(a);
      const onB = instances(b);
      expect(onA.size + onB.size).toBe(40);
      expect(onA.size).toBeGreaterThan(5);
      expect(onB.size).toBeGreaterThan(5);
      expect([...onA].filter((i) => onB.has(i))).toEqual([]);
      expect(a.received.concat(b.received).reduce((n, s) => n + s.samples.length, 0)).toBe(120);
    } finally {
      sluice.child.kill('SIGTERM');
      await sluice.exited;
      await a.close();
      await b.close();
      rmSync(data, { recursive: true, force: true });
    }
  });
});
