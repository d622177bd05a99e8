/**
 * One stream goes raw into VictoriaMetrics and, through Sluice's stream aggregation (keep_input),
 * aggregated into the same VictoriaMetrics, both by Sluice's real remote_write sink. VictoriaMetrics
 * evaluating the equivalent queries on the raw samples at each flush boundary must give exactly
 * the values Sluice wrote. Then a real Sluice process (the CLI, config file) is restarted with
 * SIGTERM in the middle of an interval and total must continue exactly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SampleBatch } from '../../host/batch/sample-batch.js';
import { DEFAULT_TENANT } from '../../host/batch/tenant.js';
import type { Component } from '../../host/plugin/manifest.js';
import { labelsFromRecord } from '../../host/series/labels.js';
import { encodeLabelsV1, writeRequestV1 } from '../../host/wire/encode-v1.js';
import { snappyCompress } from '../../host/wire/encode-snappy.js';
import { ProtoWriter } from '../../host/wire/encode-writer.js';
import sinkManifest from '../../plugins/remote-write-sink/index.js';
import aggrManifest from '../../plugins/stream-aggr/index.js';
import { streamAggrSchema } from '../../plugins/stream-aggr/config.js';
import { createTestHost, type TestHost } from '../kit/context.js';
import { freePort } from './kit/free-port.js';
import { startVictoriaMetrics, type RunningVictoriaMetrics } from './kit/victoria-metrics.js';

const M = 60_000;
/** A minute boundary half an hour back: inside retention, and all windows are in the past. */
const BASE = Math.floor(Date.now() / M) * M - 30 * M;
const WINDOWS = 3;

let vm: RunningVictoriaMetrics;
let host: TestHost;
let sink: Component;
let aggr: Component & { tick(): Promise<void> };

beforeAll(async () => {
  vm = await startVictoriaMetrics();
  host = createTestHost();
  host.clock.set(BASE);
  const sinkCtx = host.context('remote_write/vm').ctx;
  sink = await sinkManifest.create(sinkCtx, (sinkManifest.config as typeof sinkManifest.config & { parse(v: unknown): never }).parse({ urls: [vm.writeUrl], flush_interval: '100ms' }), { consume: async () => {} });
  await sink.start?.();
  const config = streamAggrSchema.parse({
    keep_input: true,
    persist_state: false,
    rules: [{ match: 'x', interval: '1m', by: ['job'], outputs: ['count_samples', 'count_series', 'sum_samples', 'max', 'min'], event_time: true }],
  });
  aggr = (await aggrManifest.create(host.context('stream_aggr/vm').ctx, config, { consume: (b) => sink.consume!(b) as Promise<void> })) as typeof aggr;
  await aggr.start?.();
});

afterAll(async () => {
  await aggr?.stop?.();
  await sink?.stop?.();
  await vm?.destroy();
  host?.cleanup();
});

/** Ten series in two jobs; samples every 10s at odd offsets (never on a boundary), random values. */
function windowBatch(w: number, seed: number): SampleBatch {
  const refs: number[] = [];
  const ts: number[] = [];
  const values: number[] = [];
  let x = seed;
  for (let s = 0; s < 10; s++) {
    const ref = host.series.resolve(DEFAULT_TENANT, labelsFromRecord({ __name__: 'x', job: `j${s % 2}`, instance: `i${s}` }));
    // Series 9 skips window 1: count_series must see 4 series of j1 there.
    if (s === 9 && w === 1) continue;
    for (let k = 0; k < 6; k++) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      refs.push(ref);
      ts.push(BASE + w * M + k * 10_000 + 1_000 + s * 37);
      values.push((x % 1000) - 200);
    }
  }
  return { tenant: DEFAULT_TENANT, length: refs.length, refs: Uint32Array.from(refs), ts: Float64Array.from(ts), values: Float64Array.from(values) };
}

async function waitForSeries(match: string, count: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    await vm.forceFlush();
    const got = await vm.exportSeries(match, { start: BASE - M });
    const samples = got.reduce((n, s) => n + s.values.length, 0);
    if (samples >= count || Date.now() > deadline) return;
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('stream aggregation against VictoriaMetrics', () => {
  it('writes for every flush boundary what VictoriaMetrics computes from the raw samples', async () => {
    for (let w = 0; w < WINDOWS; w++) {
      host.clock.set(BASE + (w + 1) * M - 1);
      await aggr.consume!(windowBatch(w, 7 + w));
      host.clock.set(BASE + (w + 1) * M);
      await aggr.tick();
    }
    await sink.flush?.();
    await waitForSeries('{__name__=~"x:1m_by_job_.*"}', WINDOWS * 2 * 5);
    await waitForSeries('x', WINDOWS * 60 - 6);

    const pairs: [string, string][] = [
      ['x:1m_by_job_count_samples', 'sum by (job) (count_over_time(x[1m]))'],
      ['x:1m_by_job_count_series', 'count by (job) (count_over_time(x[1m]))'],
      ['x:1m_by_job_sum_samples', 'sum by (job) (sum_over_time(x[1m]))'],
      ['x:1m_by_job_max', 'max by (job) (max_over_time(x[1m]))'],
      ['x:1m_by_job_min', 'min by (job) (min_over_time(x[1m]))'],
    ];
    for (const [aggregated, query] of pairs) {
      const written = await vm.exportSeries(aggregated, { start: BASE - M });
      expect(written.length, aggregated).toBe(2);
      for (let w = 1; w <= WINDOWS; w++) {
        const boundary = BASE + w * M;
        const raw = (await vm.query(query, boundary)).result as { metric: { job: string }; value: [number, string] }[];
        const fromRaw = Object.fromEntries(raw.map((r) => [r.metric.job, Number(r.value[1])]));
        const fromSluice = Object.fromEntries(written.map((s) => [s.metric.job, s.values[s.timestamps.indexOf(boundary)]]));
        expect(fromSluice, `${aggregated} at window ${w}`).toEqual(fromRaw);
      }
    }
  });
});

describe('a Sluice process with stream aggregation restarted by SIGTERM', () => {
  const INTERVAL = 2_000;
  const dir = mkdtempSync(join(tmpdir(), 'sluice-sa-restart-'));
  let child: ChildProcess | undefined;
  let port = 0;

  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  async function startSluice(): Promise<void> {
    port ||= await freePort();
    writeFileSync(join(dir, 'rules.yml'), `- match: 'restart_total'\n  interval: 2s\n  by: [job]\n  outputs: [total]\n  ignore_first_sample_interval: 0s\n`);
    writeFileSync(
      join(dir, 'sluice.yml'),
      [
        `storage: { path: ${JSON.stringify(join(dir, 'data'))} }`,
        'sources: { remote_write/in: {} }',
        `processors: { stream_aggr/main: { config_file: ${JSON.stringify(join(dir, 'rules.yml'))} } }`,
        `sinks: { remote_write/out: { urls: [${JSON.stringify(vm.writeUrl)}], flush_interval: 100ms } }`,
        'pipelines: { main: { sources: [remote_write/in], processors: [stream_aggr/main], sinks: [remote_write/out] } }',
      ].join('\n'),
    );
    const main = join(import.meta.dirname, '..', '..', 'host', 'cli', 'main.ts');
    child = spawn(process.execPath, ['--import', 'tsx', main, `--config.file=${join(dir, 'sluice.yml')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const deadline = Date.now() + 60_000;
    for (;;) {
      const ready = await fetch(`http://127.0.0.1:${port}/-/ready`).then((r) => r.ok, () => false);
      if (ready) return;
      if (Date.now() > deadline || child.exitCode !== null) throw new Error('Sluice did not become ready');
      await sleep(200);
    }
  }

  async function sigterm(): Promise<void> {
    const c = child!;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await exited;
  }

  /** Three counters of job "api" at `value` (and value + 100, + 200), stamped now. */
  async function push(value: number): Promise<void> {
    const series = [0, 1, 2].map((i) => labelsFromRecord({ __name__: 'restart_total', job: 'api', instance: `i${i}` }));
    const w = new ProtoWriter();
    const batch: SampleBatch = { tenant: DEFAULT_TENANT, length: 3, refs: Uint32Array.of(0, 1, 2), ts: new Float64Array(3).fill(Date.now()), values: Float64Array.of(value, value + 100, value + 200) };
    writeRequestV1(w, batch, 0, 3, (ref) => encodeLabelsV1(series[ref]!));
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/write`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy', 'X-Prometheus-Remote-Write-Version': '0.1.0' },
      body: snappyCompress(w.buf.subarray(0, w.pos)),
    });
    expect(res.status).toBe(204);
  }

  it('continues total exactly: no drop, no spike', async () => {
    await startSluice();
    let value = 1;
    for (let i = 0; i < 12; i++, value++) {
      await push(value); // 3 intervals at one push per 500ms
      await sleep(INTERVAL / 4);
    }
    await sleep(INTERVAL / 3); // stop in the middle of an interval
    await sigterm();
    await startSluice();
    for (let i = 0; i < 12; i++, value++) {
      await push(value);
      await sleep(INTERVAL / 4);
    }
    await sleep(2 * INTERVAL + 500); // the last interval is flushed
    await sigterm();
    child = undefined;
    const last = value - 1;
    const expected = 3 * last + 300; // every counter counted from zero: the sum of the last values
    const deadline = Date.now() + 30_000;
    let values: number[] = [];
    while (Date.now() < deadline) {
      await vm.forceFlush();
      const got = await vm.exportSeries('restart_total:2s_by_job_total');
      values = got[0]?.values.map(Number) ?? [];
      if (values.includes(expected)) break;
      await sleep(300);
    }
    expect(values.length).toBeGreaterThanOrEqual(5); // about 6 s of pushes at 2 s intervals, less the cut-short first one
    expect(values[values.length - 1]).toBe(expected);
    // Monotonic and never jumping by more than one interval's increase (4 pushes x 3 series),
    // except across the restart, where the pushes during the downtime are caught up (at most 4 more).
    for (let i = 1; i < values.length; i++) {
      expect(values[i]!).toBeGreaterThanOrEqual(values[i - 1]!);
      expect(values[i]! - values[i - 1]!).toBeLessThanOrEqual(3 * 8);
    }
  });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
