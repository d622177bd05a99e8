/**
 * End to end over loopback HTTP, with the same remote_write bodies for every program: Sluice as a
 * relay and with stream aggregation, vmagent relaying, and VictoriaMetrics ingesting. The program
 * under test is pinned to core 0 and the load generator (with the counting sink) to core 1;
 * every run is repeated and the median reported, because these machines are shared and noisy.
 * SLUICE_BENCH_TARGETS=vmagent-relay,victoria-metrics runs only the named targets;
 * SLUICE_BENCH_SERIES=1000000 sends that many series instead of 100k (issue 5 measures at 1M).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { buildBodies } from './load/body-builder.js';
import { saveBodies } from './load/bodies-file.js';
import { runTarget, type E2EFigures } from './lib/e2e-run.js';
import { E2E_TARGETS, sluiceEntry } from './lib/e2e-targets.js';
import type { Benchmark, BenchOptions, BenchResult } from './lib/result.js';
import { median } from './lib/stats.js';

/** The peer Sluice's figures are compared with. */
const REFERENCE = 'vmagent-relay';

interface Figure {
  metric: string;
  unit: string;
  better: 'higher' | 'lower';
  /** Whether Sluice's figure is set against vmagent's; diagnostics (errors, generator cpu) are not. */
  compared: boolean;
  pick: (f: E2EFigures) => number | undefined;
}

const FIGURES: Figure[] = [
  { metric: 'accepted', unit: 'samples/s', better: 'higher', compared: true, pick: (f) => f.acceptedPerSecond },
  { metric: 'delivered', unit: 'samples/s', better: 'higher', compared: true, pick: (f) => f.deliveredPerSecond },
  { metric: 'delivered share', unit: 'ratio', better: 'higher', compared: false, pick: (f) => f.deliveredShare },
  { metric: 'output samples', unit: 'samples', better: 'lower', compared: false, pick: (f) => f.outputSamples },
  { metric: 'rows inserted share', unit: 'ratio', better: 'higher', compared: false, pick: (f) => f.insertedShare },
  { metric: 'samples/cpu-s', unit: 'samples/cpu-s', better: 'higher', compared: true, pick: (f) => f.samplesPerCpuSecond },
  { metric: 'p50 latency', unit: 'ms', better: 'lower', compared: true, pick: (f) => f.p50Ms },
  { metric: 'p99 latency', unit: 'ms', better: 'lower', compared: true, pick: (f) => f.p99Ms },
  { metric: 'peak RSS', unit: 'bytes', better: 'lower', compared: true, pick: (f) => f.peakRssBytes },
  { metric: 'peak RSS/series', unit: 'bytes/series', better: 'lower', compared: true, pick: (f) => f.rssBytesPerSeries },
  { metric: 'cpu during run', unit: 's', better: 'lower', compared: false, pick: (f) => f.cpuSeconds },
  { metric: 'load generator cpu', unit: 's', better: 'lower', compared: false, pick: (f) => f.loadCpuSeconds },
  { metric: 'errors', unit: 'requests', better: 'lower', compared: false, pick: (f) => f.errors },
];

const benchmark: Benchmark = {
  name: 'e2e',
  description: 'remote_write end to end on pinned cores: Sluice relay and stream aggregation vs vmagent 1.79 relay and VictoriaMetrics ingestion',
  async run({ quick, repeats = quick ? 1 : 3, log }: BenchOptions): Promise<BenchResult[]> {
    const dir = await mkdtemp(join(os.tmpdir(), 'sluice-bench-e2e-'));
    try {
      const series = Number(process.env['SLUICE_BENCH_SERIES'] ?? 100_000);
      const scrapes = quick ? 2 : 10;
      const intervalMs = 15_000;
      const bodies = buildBodies({ version: 1, series, samplesPerBody: 2000, scrapes, intervalMs, startMs: Date.now() - scrapes * intervalMs, seed: 1 });
      const bodiesFile = join(dir, 'bodies.bin');
      await saveBodies(bodiesFile, bodies);
      log?.(`${bodies.bodies.length} bodies of ${series} series, ${(bodies.compressedBytes / bodies.bodies.length / 1024).toFixed(1)} KiB snappy each`);
      const cores = os.availableParallelism();
      const opts = { bodiesFile, series, durationMs: quick ? 5_000 : 15_000, concurrency: 4, warmupRequests: Math.ceil(series / 2000), receiverCpu: 0, loadCpu: cores > 1 ? 1 : 0, log };
      const only = process.env['SLUICE_BENCH_TARGETS']?.split(',').map((t) => t.trim());
      const targets = E2E_TARGETS.filter((t) => only === undefined || only.includes(t.id));
      const runs = new Map<string, E2EFigures[]>();
      const unavailable = new Map<string, string>();
      // Targets alternate within each repeat, so a noisy neighbour affects all of them alike.
      for (let r = 0; r < repeats; r++) {
        for (const target of targets) {
          if (unavailable.has(target.id)) continue;
          let result: Awaited<ReturnType<typeof runTarget>>;
          try {
            result = await runTarget(target, opts);
          } catch (err) {
            // One program failing must not throw away the figures of the others.
            result = { unavailable: `failed: ${(err as Error).message.split('\n').slice(0, 3).join(' | ').slice(0, 300)}` };
          }
          if ('unavailable' in result) {
            unavailable.set(target.id, result.unavailable);
            log?.(`${target.id}: skipped, ${result.unavailable}`);
            continue;
          }
          runs.set(target.id, [...(runs.get(target.id) ?? []), result]);
          log?.(`repeat ${r + 1}/${repeats} ${target.id}: ${(result.acceptedPerSecond / 1e6).toFixed(3)}M samples/s accepted, ${(result.samplesPerCpuSecond / 1e6).toFixed(3)}M samples/cpu-s, p99 ${result.p99Ms.toFixed(1)} ms, RSS ${(result.peakRssBytes / 2 ** 20).toFixed(0)} MiB, cpu ${result.cpuSeconds.toFixed(1)} s, load generator cpu ${result.loadCpuSeconds.toFixed(1)} s`);
        }
      }
      const results: BenchResult[] = [
        { name: 'e2e', metric: 'body', value: bodies.compressedBytes / bodies.samples.reduce((a, b) => a + b, 0), unit: 'bytes/sample', note: `${(bodies.rawBytes / bodies.samples.reduce((a, b) => a + b, 0)).toFixed(0)} bytes/sample before snappy; ${bodies.bodies.length} bodies x 2000 series, remote_write v1, concurrency ${opts.concurrency}, ${opts.durationMs / 1000} s per run, median of ${repeats}; Sluice: ${sluiceEntry()?.how ?? 'not found'}` },
      ];
      for (const target of targets) {
        const reason = unavailable.get(target.id);
        if (reason !== undefined) {
          results.push({ name: `e2e-${target.id}`, metric: 'accepted', value: NaN, unit: 'samples/s', note: reason });
          continue;
        }
        results.push(...figuresOf(target.id, runs.get(target.id) ?? [], target.id.startsWith('sluice') ? runs.get(REFERENCE) : undefined));
      }
      return results;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};

/** Median of each figure over the repeats, with the ratio to the reference's median where given. */
function figuresOf(id: string, runs: E2EFigures[], reference: E2EFigures[] | undefined): BenchResult[] {
  const out: BenchResult[] = [];
  for (const f of FIGURES) {
    const values = runs.map(f.pick).filter((v): v is number => v !== undefined);
    if (values.length === 0) continue;
    const r: BenchResult = { name: `e2e-${id}`, metric: f.metric, value: median(values), unit: f.unit, better: f.better, runs: values };
    const refValues = (reference ?? []).map(f.pick).filter((v): v is number => v !== undefined);
    if (refValues.length > 0 && f.compared) {
      r.reference = REFERENCE;
      r.referenceValue = median(refValues);
      r.ratio = f.better === 'higher' ? r.value / r.referenceValue : r.referenceValue / r.value;
    }
    out.push(r);
  }
  return out;
}

export default benchmark;
