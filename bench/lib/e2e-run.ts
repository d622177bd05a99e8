import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../test/peers/kit/free-port.js';
import type { ReplayResult } from '../load/replay.js';
import type { SinkCounts } from '../load/counting-sink.js';
import type { E2ETarget } from './e2e-targets.js';
import { startProgram, type RunningProgram } from './peer-harness.js';

const ROOT = join(import.meta.dirname, '..', '..');
const LOAD_MAIN = join(ROOT, 'bench', 'load', 'main.ts');

/** How one end-to-end run is driven. */
export interface E2ERunOptions {
  bodiesFile: string;
  /** Distinct series in the bodies, for memory per series. */
  series: number;
  durationMs: number;
  concurrency: number;
  /** Cores for the program under test and for the load generator plus sink. */
  receiverCpu: number;
  loadCpu: number;
  /**
   * Requests sent before the measured run, one scrape's worth, so every series exists in the
   * target: the figures are for steady state, not for first-time series registration.
   */
  warmupRequests: number;
  log?: (line: string) => void;
}

/** The figures of one run of one target. */
export interface E2EFigures {
  acceptedPerSecond: number;
  /** Samples/s that reached the counting sink, over the time from the first request to the last arrival. */
  deliveredPerSecond?: number;
  /** Delivered samples / accepted samples, which is 1 for a relay that loses nothing. */
  deliveredShare?: number;
  /** Samples that reached the sink from a target that aggregates: its output, for a sanity check. */
  outputSamples?: number;
  /** Rows the store says it inserted / accepted samples, 1 when nothing accepted was dropped. */
  insertedShare?: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  peakRssBytes: number;
  /** Peak RSS over the distinct series sent: what an active series costs, fixed overhead included. */
  rssBytesPerSeries: number;
  cpuSeconds: number;
  /** CPU seconds of the load generator over the run; close to the duration means it was the bottleneck. */
  loadCpuSeconds: number;
  /** Accepted samples per CPU second of the program: throughput that does not depend on the load generator keeping up. */
  samplesPerCpuSecond: number;
}

/**
 * Starts the counting sink (for relays) and the target on free loopback ports, replays the bodies
 * from a separate load-generator process, waits for the relay to drain, reads the target's peak
 * RSS and CPU time, and stops everything. Returns `unavailable` when the target cannot run here.
 */
export async function runTarget(target: E2ETarget, opts: E2ERunOptions): Promise<E2EFigures | { unavailable: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), `sluice-bench-${target.id}-`));
  const started: RunningProgram[] = [];
  try {
    let sinkUrl = 'http://127.0.0.1:9/unused';
    if (target.relay) {
      const sinkPort = await freePort();
      sinkUrl = `http://127.0.0.1:${sinkPort}`;
      started.push(await startProgram({ name: 'counting sink', command: process.execPath, args: ['--import', 'tsx', LOAD_MAIN, 'sink', '--port', String(sinkPort)], cwd: ROOT, cpu: opts.loadCpu, readyUrl: `${sinkUrl}/counts` }));
    }
    const port = await freePort();
    const spec = await target.spec({ port, dataDir, sinkWriteUrl: `${sinkUrl}/api/v1/write` });
    if ('unavailable' in spec) return spec;
    const program = await startProgram({ ...spec, cpu: opts.receiverCpu });
    started.push(program);
    const targetUrl = `http://127.0.0.1:${port}${target.writePath}`;
    const warmup = await sendLoad(opts, targetUrl, ['--requests', String(opts.warmupRequests)]);
    if (target.relay) {
      await drain(sinkUrl, target.deliversEverySample ? warmup.acceptedSamples : Infinity);
      await fetch(`${sinkUrl}/reset`, { method: 'POST' });
    }
    const insertedBefore = await target.insertedRows?.(port);
    const before = program.stats();
    const replay = await sendLoad(opts, targetUrl, ['--duration', `${opts.durationMs}ms`]);
    const errors = Object.values(replay.errors).reduce((a, b) => a + b, 0);
    if (program.exitCode() !== undefined) throw new Error(`${program.name} exited during the run:\n${program.stderrTail()}`);
    const delivered = target.relay ? await drain(sinkUrl, target.deliversEverySample ? replay.acceptedSamples : Infinity) : undefined;
    const after = program.stats();
    const cpuSeconds = after.cpuSeconds - before.cpuSeconds;
    const figures: E2EFigures = {
      acceptedPerSecond: replay.acceptedPerSecond,
      p50Ms: replay.latencyMs.p50,
      p99Ms: replay.latencyMs.p99,
      errors,
      loadCpuSeconds: replay.cpuSeconds,
      peakRssBytes: after.peakRssBytes,
      rssBytesPerSeries: after.peakRssBytes / opts.series,
      cpuSeconds,
      samplesPerCpuSecond: replay.acceptedSamples / cpuSeconds,
    };
    if (target.insertedRows !== undefined && insertedBefore !== undefined) {
      figures.insertedShare = ((await target.insertedRows(port)) - insertedBefore) / replay.acceptedSamples;
    }
    if (delivered !== undefined && !target.deliversEverySample) figures.outputSamples = delivered.samples;
    if (delivered !== undefined && target.deliversEverySample && delivered.lastAt > replay.startedAt) {
      figures.deliveredPerSecond = (delivered.samples * 1000) / (delivered.lastAt - replay.startedAt);
      figures.deliveredShare = delivered.samples / replay.acceptedSamples;
    }
    return figures;
  } finally {
    for (const p of started.reverse()) await p.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Runs the load generator pinned to the load core and returns its result. */
async function sendLoad(opts: E2ERunOptions, url: string, bound: string[]): Promise<ReplayResult> {
  const load = await startProgram({
    name: 'load generator',
    command: process.execPath,
    args: ['--import', 'tsx', LOAD_MAIN, 'send', '--bodies', opts.bodiesFile, '--url', url, ...bound, '--concurrency', String(opts.concurrency), '--json'],
    cwd: ROOT,
    cpu: opts.loadCpu,
  });
  const code = await load.exited;
  if (code !== 0) throw new Error(`load generator exited with code ${code}:\n${load.stderrTail()}`);
  return JSON.parse(load.stdout().trim().split('\n').pop()!) as ReplayResult;
}

/**
 * Waits until the sink has `expected` samples, or its count has not moved for 3 s (a relay that
 * aggregates or lost data), or 60 s have passed; returns the final counts.
 */
async function drain(sinkUrl: string, expected: number): Promise<SinkCounts> {
  const deadline = Date.now() + 60_000;
  let last = -1;
  let stillSince = Date.now();
  for (;;) {
    const counts = (await (await fetch(`${sinkUrl}/counts`)).json()) as SinkCounts;
    if (counts.samples >= expected || Date.now() > deadline) return counts;
    if (counts.samples !== last) {
      last = counts.samples;
      stillSince = Date.now();
    } else if (Date.now() - stillSince > 3000) {
      return counts;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
