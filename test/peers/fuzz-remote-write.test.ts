import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TENANT } from '../../host/batch/tenant.js';
import { SluiceError } from '../../host/errors.js';
import { MapSeriesIndex } from '../../host/series/map-series-index.js';
import { BatchCollector } from '../../host/wire/batch-collector.js';
import { decodeRemoteWrite, negotiateRemoteWrite } from '../../host/wire/remote-write-request.js';
import { SeriesKeyBuilder } from '../../host/wire/series-key-builder.js';
import manifest from '../../plugins/remote-write-source/index.js';
import { createTestHost, type TestHost } from '../kit/context.js';
import { startTestServer } from '../kit/http.js';
import { RecordingConsumer } from '../kit/recording-consumer.js';
import { encodeV1, encodeV2, snappyCompress, V2_CONTENT_TYPE, type TestSeries } from '../wire/bodies.js';

/**
 * At least 100k malformed remote_write bodies over real HTTP with keep-alive: every one must get
 * a 4xx with a reason in the body, and the server must keep accepting valid requests throughout.
 * Bodies are generated from a fixed seed, so a failure reproduces.
 */
const MALFORMED = 100_000;
const IN_FLIGHT = 16;
/** A valid request after every this many malformed ones proves the server still serves. */
const PROBE_EVERY = 2_000;
const CONFIG = { max_request_bytes: 64 << 10, max_labels_per_series: 64, max_label_value_length: 1024 };
/** Generous: client and server share one Node thread (about 0.5 ms of CPU per request), and the machine may be busy. */
const TIME_LIMIT_MS = 600_000;

interface Case {
  kind: string;
  body: Uint8Array;
  headers: Record<string, string>;
}

const V1 = { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' };
const V2 = { 'content-type': V2_CONTENT_TYPE, 'content-encoding': 'snappy' };

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function validSeries(rand: () => number, n: number): TestSeries[] {
  return Array.from({ length: n }, (_, i) => ({
    labels: [['__name__', `m${Math.floor(rand() * 50)}`], ['instance', `host-${i}`], ['job', 'fuzz']],
    samples: [[1_700_000_000_000 + i, rand()]],
  }));
}

/** Case generators; each yields a body that is malformed by construction or checked below. */
function generators(rand: () => number): ((i: number) => Case)[] {
  const int = (n: number) => Math.floor(rand() * n);
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => int(256));
  const valid = () => encodeV1(validSeries(rand, 1 + int(20)));
  return [
    () => ({ kind: 'random bytes', body: bytes(int(2000)), headers: V1 }),
    () => {
      const z = snappyCompress(valid());
      return { kind: 'truncated snappy', body: z.subarray(0, 1 + int(z.length - 2)), headers: V1 };
    },
    () => {
      const z = snappyCompress(valid());
      for (let k = 0; k < 1 + int(4); k++) z[1 + int(z.length - 1)] = int(256);
      return { kind: 'corrupted snappy', body: z, headers: rand() < 0.5 ? V1 : V2 };
    },
    () => {
      // Cut inside the first series: its length prefix then claims bytes that are not there.
      const raw = valid();
      return { kind: 'truncated protobuf', body: snappyCompress(raw.subarray(0, 3 + int(Math.max(1, raw[1]! - 2)))), headers: V1 };
    },
    () => {
      const raw = valid();
      const at = int(raw.length);
      const bad = Uint8Array.from([...raw.subarray(0, at), 0x08 | (6 + int(2)), ...raw.subarray(at)]);
      return { kind: 'bad wire type', body: snappyCompress(bad), headers: rand() < 0.5 ? V1 : V2 };
    },
    () => {
      // A top-level field whose length prefix claims up to 2^32 bytes.
      const claim = [0xff, 0xff, 0xff, 0xff, 1 + int(14)];
      return { kind: 'huge protobuf length', body: snappyCompress(Uint8Array.from([0x0a, ...claim, ...bytes(int(50))])), headers: rand() < 0.5 ? V1 : V2 };
    },
    () => ({ kind: 'huge snappy length', body: Uint8Array.from([0x80 | int(128), 0xff, 0xff, 0xff, 0x0f, ...bytes(int(40))]), headers: V1 }),
    () => {
      const labels: [string, string][] = [['__name__', 'bomb'], ...Array.from({ length: 65 + int(500) }, (_, k) => [`l${String(k).padStart(4, '0')}`, 'v'] as [string, string])];
      return { kind: 'label bomb (count)', body: snappyCompress(encodeV1([{ labels, samples: [[1, 1]] }])), headers: V1 };
    },
    () => {
      const series = [{ labels: [['__name__', 'bomb'], ['big', 'x'.repeat(1025 + int(5_000))]] as [string, string][], samples: [[1, 1]] as [number, number][] }];
      const v2 = rand() < 0.5;
      return { kind: 'label bomb (length)', body: snappyCompress(v2 ? encodeV2(series) : encodeV1(series)), headers: v2 ? V2 : V1 };
    },
    () => {
      const variants: [string, string][][] = [
        [['job', 'x'], ['__name__', 'up']],
        [['__name__', 'up'], ['a', '1'], ['a', '2']],
        [['', 'x']],
        [['__name__', 'up'], ['bad-name', 'x']],
        [],
      ];
      const labels = variants[int(variants.length)]!;
      const v2 = rand() < 0.5;
      const body = (v2 ? encodeV2 : encodeV1)([...validSeries(rand, int(5)), { labels, samples: [[1, 1]] }]);
      return { kind: 'invalid labels', body: snappyCompress(body), headers: v2 ? V2 : V1 };
    },
    () => {
      const headers = [
        { 'content-type': 'application/json', 'content-encoding': 'snappy' },
        { 'content-type': 'application/x-protobuf;proto=io.prometheus.write.v9.Request', 'content-encoding': 'snappy' },
        { 'content-type': 'application/x-protobuf', 'content-encoding': 'zstd' },
      ][int(3)]!;
      return { kind: 'unsupported media', body: snappyCompress(valid()), headers };
    },
    () => ({ kind: 'oversized body', body: new Uint8Array(CONFIG.max_request_bytes + 1 + int(1000)), headers: V1 }),
  ];
}

/** Kinds whose random damage can, rarely, leave a valid body; the others are invalid by construction. */
const MAY_BE_VALID = new Set(['random bytes', 'corrupted snappy', 'bad wire type']);

/** The local decoder as oracle, only to drop the rare random body that happens to be valid. */
function decodesLocally(c: Case): boolean {
  try {
    const version = negotiateRemoteWrite(c.headers['content-type'], c.headers['content-encoding']);
    if (c.body.length > CONFIG.max_request_bytes) return false;
    const out = new BatchCollector(new MapSeriesIndex(), DEFAULT_TENANT, 10_000);
    decodeRemoteWrite(c.body, version, CONFIG.max_request_bytes, out, new SeriesKeyBuilder({ maxLabelsPerSeries: 64, maxLabelValueLength: 1024, utf8Names: false }));
    return true;
  } catch (err) {
    if (!(err instanceof SluiceError)) throw err;
    return false;
  }
}

let host: TestHost;
let server: { url: string; close(): Promise<void> };
const sink = new RecordingConsumer();
const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });

function post(url: URL, body: Uint8Array, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  host = createTestHost();
  const source = await manifest.create(host.context('remote_write/fuzz').ctx, (manifest.config as any).parse(CONFIG), {
    consume: async (b) => {
      sink.clear();
      await sink.consume(b);
    },
  });
  await source.start?.();
  server = await startTestServer(host.router);
});

afterAll(async () => {
  agent.destroy();
  await server?.close();
  host?.cleanup();
});

describe('remote_write fuzzing over HTTP', () => {
  it(
    'answers 100k malformed bodies with a 4xx and a reason, and keeps serving valid requests',
    async () => {
      const url = new URL('/api/v1/write', server.url);
      const rand = rng(0x5eed);
      const gens = generators(rand);
      const byKind = new Map<string, number>();
      const failures: string[] = [];
      let sent = 0;
      let probes = 0;
      const deadline = Date.now() + TIME_LIMIT_MS;
      const worker = async () => {
        while (sent < MALFORMED && failures.length < 10) {
          if (Date.now() > deadline) throw new Error(`fuzzing took longer than ${TIME_LIMIT_MS} ms after ${sent} bodies`);
          const i = sent++;
          if (i % PROBE_EVERY === 0) {
            const probe = await post(url, snappyCompress(encodeV1(validSeries(rand, 3))), V1);
            if (probe.status !== 204) failures.push(`valid probe after ${i} bodies got ${probe.status}: ${probe.text}`);
            probes++;
          }
          let c = gens[i % gens.length]!(i);
          while (MAY_BE_VALID.has(c.kind) && decodesLocally(c)) c = gens[0]!(i);
          const res = await post(url, c.body, c.headers);
          byKind.set(c.kind, (byKind.get(c.kind) ?? 0) + 1);
          if (res.status < 400 || res.status > 499 || res.text.trim().length === 0) {
            failures.push(`${c.kind} #${i}: status ${res.status}, body ${JSON.stringify(res.text.slice(0, 200))}`);
          }
        }
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
      expect(failures).toEqual([]);
      expect([...byKind.values()].reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(MALFORMED);
      expect(byKind.size).toBe(gens.length);
      expect(probes).toBeGreaterThanOrEqual(MALFORMED / PROBE_EVERY);
      const last = await post(url, snappyCompress(encodeV1(validSeries(rand, 5))), V1);
      expect(last.status).toBe(204);
      expect(sink.samples()).toHaveLength(5);
    },
    TIME_LIMIT_MS + 10_000,
  );
});
