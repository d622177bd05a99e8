import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './free-port.js';

export interface VictoriaMetricsOptions {
  /** The binary; default `$VICTORIA_METRICS_BIN` or `/usr/bin/victoria-metrics` (Debian's package). */
  binary?: string;
  /** Extra flags, e.g. `-dedup.minScrapeInterval=1ms`. */
  flags?: string[];
  /** How long to wait for `/health`; default 60 s. */
  readyTimeoutMs?: number;
}

/** One series as `/api/v1/export` returns it (a JSON line). */
export interface ExportedSeries {
  metric: Record<string, string>;
  values: (number | null)[];
  timestamps: number[];
}

export interface RunningVictoriaMetrics {
  /** Base URL, e.g. `http://127.0.0.1:41234`. Stays the same across stop()/start(). */
  url: string;
  port: number;
  /** Temporary folder holding the storage; kept by stop(), removed by destroy(). */
  dir: string;
  /** The Prometheus remote_write endpoint. */
  writeUrl: string;
  /** Everything the process wrote, for failure messages. */
  output(): string;
  /** Whether the process is running. */
  running(): boolean;
  /** Graceful stop (SIGTERM; data flushed to disk). The storage stays for start(). */
  stop(): Promise<void>;
  /** Starts again on the same port and storage after stop(). */
  start(): Promise<void>;
  /** stop() and remove the storage folder. */
  destroy(): Promise<void>;
  /** Makes recently ingested data searchable now (`/internal/force_flush`). */
  forceFlush(): Promise<void>;
  /** Raw samples of the series matching a selector, via `/api/v1/export` (no dedup, no gap filling). */
  exportSeries(match: string, range?: { start?: number; end?: number }): Promise<ExportedSeries[]>;
  /** A PromQL instant query's `data` (the Prometheus HTTP API shape). */
  query(promql: string, timeMs?: number): Promise<{ resultType: string; result: unknown[] }>;
}

/**
 * Starts a real VictoriaMetrics single-node on 127.0.0.1 with a free port and a temporary storage
 * folder (100y retention, no search latency offset, so fresh samples are queryable at once), and
 * waits until `/health` answers. Throws (the test fails, never skips) when the binary is missing.
 */
export async function startVictoriaMetrics(opts: VictoriaMetricsOptions = {}): Promise<RunningVictoriaMetrics> {
  const binary = opts.binary ?? process.env.VICTORIA_METRICS_BIN ?? '/usr/bin/victoria-metrics';
  if (!existsSync(binary)) {
    throw new Error(`VictoriaMetrics binary not found at ${binary}: install it (apt-get install victoria-metrics) or set VICTORIA_METRICS_BIN`);
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'sluice-vm-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let output = '';
  const alive = () => child !== undefined && child.exitCode === null && child.signalCode === null;

  const start = async (): Promise<void> => {
    if (alive()) return;
    child = spawn(
      binary,
      [
        `-httpListenAddr=127.0.0.1:${port}`,
        `-storageDataPath=${path.join(dir, 'data')}`,
        '-retentionPeriod=100y',
        '-search.latencyOffset=0',
        '-loggerLevel=WARN',
        ...(opts.flags ?? []),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
    try {
      await waitHealthy(child, url, opts.readyTimeoutMs ?? 60_000);
    } catch (e) {
      await stop();
      throw new Error(`VictoriaMetrics did not become ready: ${(e as Error).message}\n${output.slice(-2000)}`);
    }
  };

  const stop = async (): Promise<void> => {
    const c = child;
    if (!c || !alive()) return;
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.kill('SIGTERM');
    const timer = setTimeout(() => c.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  };

  const get = async (pathAndQuery: string): Promise<string> => {
    const res = await fetch(`${url}${pathAndQuery}`);
    const text = await res.text();
    if (!res.ok) throw new Error(`GET ${pathAndQuery}: ${res.status} ${text.slice(0, 500)}`);
    return text;
  };

  await start();
  return {
    url,
    port,
    dir,
    writeUrl: `${url}/api/v1/write`,
    output: () => output,
    running: alive,
    stop,
    start,
    destroy: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
    forceFlush: async () => {
      await get('/internal/force_flush');
    },
    exportSeries: async (match, range = {}) => {
      const q = new URLSearchParams({ 'match[]': match });
      if (range.start !== undefined) q.set('start', String(range.start / 1000));
      if (range.end !== undefined) q.set('end', String(range.end / 1000));
      const text = await get(`/api/v1/export?${q}`);
      return text
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as ExportedSeries);
    },
    query: async (promql, timeMs) => {
      const q = new URLSearchParams({ query: promql });
      if (timeMs !== undefined) q.set('time', String(timeMs / 1000));
      const body = JSON.parse(await get(`/api/v1/query?${q}`)) as { data: { resultType: string; result: unknown[] } };
      return body.data;
    },
  };
}

async function waitHealthy(child: ChildProcess, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`exited with ${child.exitCode ?? child.signalCode}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no answer from ${url}/health within ${timeoutMs} ms`);
}
