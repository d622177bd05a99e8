import { Agent, request } from 'node:http';
import { quantileSorted } from '../lib/stats.js';
import { REMOTE_WRITE_HEADERS } from './remote-write-headers.js';
import type { EncodedBodies } from './body-builder.js';

/** How to replay. Exactly one of `durationMs` and `requests` bounds the run. */
export interface ReplayOptions {
  /** The remote_write endpoint, e.g. http://127.0.0.1:8429/api/v1/write. */
  url: string;
  /** Requests in flight at once, each on its own keep-alive connection. */
  concurrency: number;
  durationMs?: number;
  requests?: number;
  /** Called about once a second with the figures so far. */
  onProgress?: (p: ReplayProgress) => void;
}

export interface ReplayProgress {
  elapsedMs: number;
  requests: number;
  acceptedSamples: number;
  errors: number;
  /** Accepted samples per second over the last interval. */
  currentRate: number;
}

/** The outcome of a replay. */
export interface ReplayResult {
  /** Wall-clock start (ms since the epoch), to line the run up with what a sink received. */
  startedAt: number;
  elapsedMs: number;
  requests: number;
  /** Samples in requests answered 2xx. */
  acceptedSamples: number;
  acceptedPerSecond: number;
  bytesSent: number;
  /** Failed requests by HTTP status, or `network` for a refused or reset connection. */
  errors: Record<string, number>;
  /** CPU seconds the replaying process used: near elapsed time means the generator, not the receiver, was the limit. */
  cpuSeconds: number;
  /** Request latency percentiles in milliseconds, over every request (failed ones included). */
  latencyMs: { p50: number; p90: number; p99: number; max: number };
}

/**
 * Sends the pre-encoded bodies round-robin over keep-alive HTTP with `concurrency` requests in
 * flight until the duration or request count is reached. Failures are counted, never retried: a
 * benchmark must show what the receiver refused, not hide it behind retries.
 */
export async function replay(bodies: EncodedBodies, opts: ReplayOptions): Promise<ReplayResult> {
  if ((opts.durationMs === undefined) === (opts.requests === undefined)) throw new TypeError('replay needs exactly one of durationMs and requests');
  if (bodies.bodies.length === 0) throw new RangeError('replay needs at least one body');
  const target = new URL(opts.url);
  const agent = new Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const headers = REMOTE_WRITE_HEADERS[bodies.version];
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  let next = 0;
  let done = 0;
  let accepted = 0;
  let bytesSent = 0;
  const startedAt = Date.now();
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const deadline = opts.durationMs === undefined ? Infinity : start + opts.durationMs;
  const more = () => (opts.requests === undefined ? performance.now() < deadline : next < opts.requests);

  let lastTick = { at: start, accepted: 0 };
  const ticker = setInterval(() => {
    const now = performance.now();
    const errorCount = Object.values(errors).reduce((a, b) => a + b, 0);
    opts.onProgress?.({ elapsedMs: now - start, requests: done, acceptedSamples: accepted, errors: errorCount, currentRate: ((accepted - lastTick.accepted) * 1000) / (now - lastTick.at) });
    lastTick = { at: now, accepted };
  }, 1000);

  const worker = async () => {
    while (more()) {
      const i = next++ % bodies.bodies.length;
      const body = bodies.bodies[i]!;
      const sent = performance.now();
      const status = await post(target, agent, headers, body);
      latencies.push(performance.now() - sent);
      done++;
      bytesSent += body.byteLength;
      if (status >= 200 && status < 300) accepted += bodies.samples[i]!;
      else {
        const key = status === 0 ? 'network' : String(status);
        errors[key] = (errors[key] ?? 0) + 1;
        // A receiver that is down would otherwise be hammered in a tight loop.
        if (status === 0) await new Promise((r) => setTimeout(r, 20));
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: opts.concurrency }, worker));
  } finally {
    clearInterval(ticker);
    agent.destroy();
  }
  const elapsedMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  const sorted = Float64Array.from(latencies).sort();
  return {
    startedAt,
    elapsedMs,
    requests: done,
    acceptedSamples: accepted,
    acceptedPerSecond: (accepted * 1000) / elapsedMs,
    bytesSent,
    errors,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    latencyMs: { p50: quantileSorted(sorted, 0.5), p90: quantileSorted(sorted, 0.9), p99: quantileSorted(sorted, 0.99), max: sorted.length ? sorted[sorted.length - 1]! : NaN },
  };
}

/** POSTs one body; resolves with the status, or 0 when the connection failed. Never rejects. */
function post(url: URL, agent: Agent, headers: Record<string, string>, body: Uint8Array): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': body.byteLength } }, (res) => {
      // Drain the answer so the socket goes back to the pool.
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(0));
    });
    req.on('error', () => resolve(0));
    req.end(body);
  });
}
