import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './free-port.js';

export interface PrometheusOptions {
  /** The binary; default `$PROMETHEUS_BIN` or `/usr/bin/prometheus` (Debian's package). */
  binary?: string;
  /** prometheus.yml contents; default an empty global section (no scrapes). */
  config?: string;
  /** Extra flags, e.g. `--web.enable-remote-write-receiver`. */
  flags?: string[];
  /** How long to wait for `/-/ready`; default 60 s. */
  readyTimeoutMs?: number;
}

export interface RunningPrometheus {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  port: number;
  /** Temporary folder holding the config and the TSDB; removed by `stop()`. */
  dir: string;
  /** Everything the process wrote, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Start a real Prometheus on 127.0.0.1 with a free port and a temporary storage folder, and
 * wait until it answers `/-/ready`. Throws (so the test fails, never skips) when the binary is
 * missing or it does not become ready. Retries on a new port if the chosen one was taken.
 */
export async function startPrometheus(opts: PrometheusOptions = {}): Promise<RunningPrometheus> {
  const binary = opts.binary ?? process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';
  if (!existsSync(binary)) {
    throw new Error(`Prometheus binary not found at ${binary}: install it (apt-get install prometheus) or set PROMETHEUS_BIN`);
  }
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(binary, opts);
    } catch (e) {
      lastError = e;
    }
  }
  throw lastError;
}

async function startOnce(binary: string, opts: PrometheusOptions): Promise<RunningPrometheus> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sluice-prometheus-'));
  const configFile = path.join(dir, 'prometheus.yml');
  await writeFile(configFile, opts.config ?? 'global: {}\n');
  const port = await freePort();
  const child = spawn(
    binary,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      ...(opts.flags ?? []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
  const running: RunningPrometheus = {
    url: `http://127.0.0.1:${port}`,
    port,
    dir,
    output: () => output,
    stop: () => stop(child, dir),
  };
  try {
    await waitReady(child, running.url, opts.readyTimeoutMs ?? 60_000);
  } catch (e) {
    await running.stop();
    throw new Error(`Prometheus did not become ready: ${(e as Error).message}\n${output.slice(-2000)}`);
  }
  return running;
}

async function waitReady(child: ChildProcess, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`exited with ${child.exitCode ?? child.signalCode}`);
    try {
      const res = await fetch(`${url}/-/ready`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no answer from ${url}/-/ready within ${timeoutMs} ms`);
}

async function stop(child: ChildProcess, dir: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  await rm(dir, { recursive: true, force: true });
}
