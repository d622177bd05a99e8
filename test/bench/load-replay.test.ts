import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snappyCompress } from '../../host/wire/encode-snappy.js';
import { buildBodies } from '../../bench/load/body-builder.js';
import { CountingSink } from '../../bench/load/counting-sink.js';
import { replay } from '../../bench/load/replay.js';

const bodies = buildBodies({ version: 1, series: 3000, samplesPerBody: 500, scrapes: 2, startMs: Date.UTC(2026, 0, 1), intervalMs: 15_000 });
let sink: CountingSink;

beforeAll(async () => {
  sink = await CountingSink.start();
});
afterAll(() => sink.close());

describe('replay into the counting sink', () => {
  it('every accepted sample arrives and is counted by decoding', async () => {
    const before = sink.counts.samples;
    const r = await replay(bodies, { url: `${sink.url}/api/v1/write`, concurrency: 3, requests: 17 });
    expect(r.requests).toBe(17);
    expect(r.errors).toEqual({});
    expect(r.acceptedSamples).toBe(17 * 500);
    expect(sink.counts.samples - before).toBe(17 * 500);
    expect(r.latencyMs.p50).toBeLessThanOrEqual(r.latencyMs.p99);
    expect(r.latencyMs.p99).toBeLessThanOrEqual(r.latencyMs.max);
  });

  it('v2 bodies are recognised by their content type and counted too', async () => {
    const v2 = buildBodies({ version: 2, series: 1000, samplesPerBody: 400, scrapes: 1, startMs: Date.UTC(2026, 0, 1), intervalMs: 15_000 });
    const before = sink.counts.samples;
    const r = await replay(v2, { url: `${sink.url}/api/v1/write`, concurrency: 2, requests: 3 });
    expect(r.acceptedSamples).toBe(400 + 400 + 200);
    expect(sink.counts.samples - before).toBe(1000);
  });

  it('the sink answers 400 to a corrupt body, counts it as rejected and keeps serving', async () => {
    const broken = { ...bodies, bodies: [snappyCompress(new Uint8Array([0x0a, 0x05, 0x01]))], samples: [1] };
    const rejected = sink.counts.rejected;
    const r = await replay(broken, { url: `${sink.url}/api/v1/write`, concurrency: 1, requests: 2 });
    expect(r.errors).toEqual({ '400': 2 });
    expect(r.acceptedSamples).toBe(0);
    expect(sink.counts.rejected - rejected).toBe(2);
    const ok = await replay(bodies, { url: `${sink.url}/api/v1/write`, concurrency: 1, requests: 1 });
    expect(ok.acceptedSamples).toBe(500);
  });
});

describe('replay against a struggling receiver', () => {
  let server: Server;
  let url: string;
  let seen = 0;
  beforeAll(async () => {
    // Refuses every third request with 503, as a receiver with a full edge does.
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(++seen % 3 === 0 ? 503 : 204).end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/write`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('counts refused requests by status and does not count their samples as accepted', async () => {
    const r = await replay(bodies, { url, concurrency: 1, requests: 9 });
    expect(r.errors).toEqual({ '503': 3 });
    expect(r.acceptedSamples).toBe(6 * 500);
  });

  it('counts a receiver that is not there as network errors', async () => {
    const r = await replay(bodies, { url: 'http://127.0.0.1:9/api/v1/write', concurrency: 2, requests: 4 });
    expect(r.errors).toEqual({ network: 4 });
    expect(r.acceptedSamples).toBe(0);
  });

  it('needs exactly one of a duration and a request count', async () => {
    await expect(replay(bodies, { url, concurrency: 1 })).rejects.toThrow(TypeError);
    await expect(replay(bodies, { url, concurrency: 1, requests: 1, durationMs: 5 })).rejects.toThrow(TypeError);
  });
});
