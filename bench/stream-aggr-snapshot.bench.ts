/**
 * The periodic state snapshot of stream_aggr at 1M input series (100k quick), on the WebAssembly
 * series index Sluice runs with, the rule and load of stream-aggr.bench.ts after two intervals.
 * Compares the sliced persist (copy the state at once, name series, encode and write in slices;
 * what the processor does every state_snapshot_interval) with the same snapshot taken at once
 * (snapshot() and v8.serialize, as a hot swap takes it). Prints the longest event-loop stall
 * (perf_hooks.monitorEventLoopDelay: on a busy machine it also counts time other processes had
 * the core), wall and CPU time, and the file size.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { serialize } from 'node:v8';
import { runSliced } from '../host/aggregation/steps.js';
import { StreamAggregation } from '../host/aggregation/stream-aggregation.js';
import { createKernels } from '../host/kernels/kernels.js';
import { createSeriesIndex } from '../host/series/create-series-index.js';
import { writeState } from '../plugins/stream-aggr/state-file.js';
import type { Benchmark, BenchOptions, BenchResult } from './lib/result.js';
import { median } from './lib/stats.js';
import { buildLoad, prepareRound, RULE, T0 } from './stream-aggr.bench.js';

interface Run {
  stallMs: number;
  wallMs: number;
  cpuMs: number;
  bytes: number;
}

/** Runs `save` with the event loop watched; the monitor is warm before and after it. */
async function watch(save: () => Promise<number>): Promise<Run> {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  globalThis.gc?.();
  await new Promise((r) => setTimeout(r, 20));
  loop.reset();
  // After enable() and reset() the monitor's first interval is not recorded: a stall in it would go unseen.
  await new Promise((r) => setTimeout(r, 5));
  const cpu = process.cpuUsage();
  const started = performance.now();
  const bytes = await save();
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  await new Promise((r) => setTimeout(r, 20));
  loop.disable();
  return { stallMs: loop.max / 1e6, wallMs, cpuMs: (used.user + used.system) / 1000, bytes };
}

const benchmark: Benchmark = {
  name: 'stream-aggr-snapshot',
  description: 'stream_aggr state snapshot at 1M series: longest event-loop stall, wall and CPU time, file size; sliced persist vs the snapshot taken at once',
  async run({ quick, repeats = quick ? 1 : 3, log }: BenchOptions): Promise<BenchResult[]> {
    const n = quick ? 100_000 : 1_000_000;
    log?.(`stream-aggr-snapshot: building ${n} series`);
    const load = buildLoad(n, await createSeriesIndex({ capacity: n }));
    const agg = await StreamAggregation.create({ rules: [RULE], keepInput: false, dropInput: true, dedupMs: 0 }, createKernels('auto'), load.series, T0);
    for (let r = 0; r < 8; r++) {
      prepareRound(load, r);
      for (const b of load.batches) agg.consume(b, T0 + r * 15_000 + 1);
    }
    const now = T0 + 8 * 15_000 + 1;
    const dir = await mkdtemp(join(tmpdir(), 'sluice-snapshot-bench-'));
    const sliced: Run[] = [];
    const atOnce: Run[] = [];
    try {
      for (let i = 0; i < repeats; i++) {
        const s = await watch(async () => (await writeState(dir, await runSliced(agg.capture(now)))).bytes);
        const b = await watch(async () => {
          const bytes = serialize(agg.snapshot(now));
          await writeFile(join(dir, 'at-once.state'), bytes);
          return bytes.length;
        });
        sliced.push(s);
        atOnce.push(b);
        const line = (r: Run) => `stall ${r.stallMs.toFixed(1)} ms, wall ${r.wallMs.toFixed(0)} ms, cpu ${r.cpuMs.toFixed(0)} ms, ${(r.bytes / 1e6).toFixed(1)} MB`;
        log?.(`stream-aggr-snapshot: sliced ${line(s)}; at once ${line(b)}`);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const figure = (metric: string, unit: string, pick: (r: Run) => number, note?: string): BenchResult => {
      const value = median(sliced.map(pick));
      const referenceValue = median(atOnce.map(pick));
      return {
        name: 'stream-aggr-snapshot',
        metric,
        value,
        unit,
        better: 'lower',
        reference: 'snapshot at once',
        referenceValue,
        ratio: referenceValue / value,
        runs: sliced.map(pick),
        ...(note ? { note } : {}),
      };
    };
    return [
      figure('longest event-loop stall', 'ms', (r) => r.stallMs, `${n} series; monitorEventLoopDelay max during the snapshot, 1 ms resolution`),
      figure('wall time', 'ms', (r) => r.wallMs),
      figure('cpu time', 'ms', (r) => r.cpuMs, 'process CPU (all threads) from the call to the file written'),
      figure('file size', 'bytes', (r) => r.bytes),
    ];
  },
};

export default benchmark;
