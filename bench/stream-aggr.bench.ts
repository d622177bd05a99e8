/**
 * Stream aggregation: 1M input series (100k quick) aggregated by two labels into 1000 groups with
 * outputs total, sum_samples, count_samples, max and quantiles(0.5, 0.99), 4 samples per series per
 * interval. Reports samples/s of the aggregation alone on decoded batches (classification done,
 * flushes included) for the WebAssembly kernel and the TypeScript reference, and bytes of state
 * per input series (kernel state, and the whole heap including the series registry).
 * Run with node --expose-gc: setup garbage is collected before the timed rounds.
 * End to end over HTTP is measured by bench/e2e.bench.ts (sluice with --stream-aggr.config).
 */
import { ruleSchema } from '../host/aggregation/rule-schema.js';
import { planRule } from '../host/aggregation/rule-plan.js';
import { RuleAggregator } from '../host/aggregation/rule-aggregator.js';
import type { SampleBatch } from '../host/batch/sample-batch.js';
import { DEFAULT_TENANT } from '../host/batch/tenant.js';
import { createKernels, type KernelMode } from '../host/kernels/kernels.js';
import { MapSeriesIndex } from '../host/series/map-series-index.js';
import type { SeriesIndex } from '../host/series/series-index.js';
import type { Benchmark, BenchOptions, BenchResult } from './lib/result.js';
import { median } from './lib/stats.js';
import { seededRandom } from './load/random.js';

const BATCH_ROWS = 16_384;
const REQUEST_ROWS = 2000;
const SAMPLES_PER_INTERVAL = 4;
const WARMUP_ROUNDS = 2 * SAMPLES_PER_INTERVAL;
export const T0 = Date.UTC(2026, 0, 1);
export const RULE = ruleSchema.parse({
  match: 'http_requests_total',
  interval: '1m',
  by: ['job', 'region'],
  outputs: ['total', 'sum_samples', 'count_samples', 'max', 'quantiles(0.5, 0.99)'],
  ignore_first_sample_interval: '0s',
});

export interface Load {
  series: SeriesIndex;
  batches: SampleBatch[];
  base: Float64Array[];
}

/** n series of RULE's metric in `series`, and batches of one sample each in request order. */
export function buildLoad(n: number, series: SeriesIndex = new MapSeriesIndex()): Load {
  const refs = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    refs[i] = series.resolve(DEFAULT_TENANT, [
      { name: '__name__', value: 'http_requests_total' },
      { name: 'instance', value: `host-${i}:9100` },
      { name: 'job', value: `job-${i % 100}` },
      { name: 'region', value: `region-${Math.floor(i / 100) % 10}` },
    ]);
  }
  // Requests arrive in random order, each carrying one target's series together (Prometheus sends
  // up to 2000 samples per request): blocks of 2000 consecutive refs, shuffled with a fixed seed.
  const rand = seededRandom(0x5a5a);
  const blocks: Uint32Array[] = [];
  for (let start = 0; start < n; start += REQUEST_ROWS) blocks.push(refs.slice(start, Math.min(n, start + REQUEST_ROWS)));
  for (let i = blocks.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [blocks[i], blocks[j]] = [blocks[j]!, blocks[i]!];
  }
  let at = 0;
  for (const b of blocks) {
    refs.set(b, at);
    at += b.length;
  }
  const batches: SampleBatch[] = [];
  const base: Float64Array[] = [];
  for (let start = 0; start < n; start += BATCH_ROWS) {
    const len = Math.min(BATCH_ROWS, n - start);
    const b = Float64Array.from({ length: len }, () => Math.floor(rand() * 1000));
    base.push(b);
    batches.push({ tenant: DEFAULT_TENANT, length: len, refs: refs.slice(start, start + len), ts: new Float64Array(len), values: new Float64Array(len) });
  }
  return { series, batches, base };
}

/** Sets round r's timestamps (15s apart) and counter values (growing) outside the timed region. */
export function prepareRound(load: Load, r: number): void {
  load.batches.forEach((b, k) => {
    const base = load.base[k]!;
    (b.ts as Float64Array).fill(T0 + r * 15_000 + 1);
    for (let i = 0; i < b.length; i++) (b.values as Float64Array)[i] = base[i]! * (r + 1);
  });
}

/**
 * Samples per second of wall time, and per CPU second of this process: on a shared machine the
 * second is what one core does, the first also counts the time other programs had the core.
 */
async function measure(load: Load, mode: KernelMode, rounds: number): Promise<{ rate: number; cpuRate: number; kernelBytes: number }> {
  const rule = await RuleAggregator.create(planRule(RULE, 0), createKernels(mode), load.series, T0);
  let samples = 0;
  let ns = 0n;
  let cpuMicros = 0;
  for (let r = 0; r < rounds; r++) {
    prepareRound(load, r);
    // The garbage of classifying 1M series (and of the previous run) is not the steady state.
    if (r === WARMUP_ROUNDS) globalThis.gc?.();
    const now = T0 + r * 15_000 + 1;
    const start = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    if (r % SAMPLES_PER_INTERVAL === 0) rule.tick(now);
    for (const b of load.batches) rule.consume(b, now);
    const elapsed = process.hrtime.bigint() - start;
    const used = process.cpuUsage(cpu);
    if (r >= WARMUP_ROUNDS) {
      // The first interval classifies every series and the first flush resolves every output
      // series (once each): not the steady state.
      ns += elapsed;
      cpuMicros += used.user + used.system;
      for (const b of load.batches) samples += b.length;
    }
  }
  return { rate: samples / (Number(ns) / 1e9), cpuRate: samples / (cpuMicros / 1e6), kernelBytes: rule.stateBytes() };
}

function heapBytes(): number {
  globalThis.gc?.();
  globalThis.gc?.();
  return process.memoryUsage().heapUsed;
}

const benchmark: Benchmark = {
  name: 'stream-aggr',
  description: 'stream aggregation by two labels (total, sum_samples, count_samples, max, quantiles) over 1M series: kernel vs TypeScript reference, bytes of state per series',
  async run({ quick, repeats = quick ? 1 : 3, log }: BenchOptions): Promise<BenchResult[]> {
    const n = quick ? 100_000 : 1_000_000;
    const rounds = quick ? 16 : 24;
    log?.(`stream-aggr: building ${n} series`);
    const load = buildLoad(n);
    const wasm: number[] = [];
    const ref: number[] = [];
    const wasmCpu: number[] = [];
    const refCpu: number[] = [];
    let kernelBytes = 0;
    for (let i = 0; i < repeats; i++) {
      const w = await measure(load, 'auto', rounds);
      wasm.push(w.rate);
      wasmCpu.push(w.cpuRate);
      kernelBytes = w.kernelBytes;
      const t = await measure(load, 'reference', rounds);
      ref.push(t.rate);
      refCpu.push(t.cpuRate);
      log?.(`stream-aggr: wasm ${Math.round(w.rate)} samples/s (${Math.round(w.cpuRate)}/cpu-s), reference ${Math.round(t.rate)} samples/s (${Math.round(t.cpuRate)}/cpu-s)`);
    }
    // Whole-heap cost of the state: one more aggregator, classified, measured by heap growth.
    const before = heapBytes();
    const rule = await RuleAggregator.create(planRule(RULE, 0), createKernels('auto'), load.series, T0);
    prepareRound(load, 0);
    for (const b of load.batches) rule.consume(b, T0 + 1);
    const heapPerSeries = (heapBytes() - before) / n;
    void rule;
    const rate = median(wasm);
    const refRate = median(ref);
    const cpuRate = median(wasmCpu);
    const refCpuRate = median(refCpu);
    return [
      {
        name: 'stream-aggr',
        metric: 'aggregation per cpu-second',
        value: cpuRate,
        unit: 'samples/cpu-s',
        reference: 'typescript reference',
        referenceValue: refCpuRate,
        ratio: cpuRate / refCpuRate,
        runs: wasmCpu,
      },
      { name: 'stream-aggr', metric: 'aggregation throughput', value: rate, unit: 'samples/s', reference: 'typescript reference', referenceValue: refRate, ratio: rate / refRate, runs: wasm },
      {
        name: 'stream-aggr',
        metric: 'state',
        value: kernelBytes / n,
        unit: 'bytes/series',
        better: 'lower' as const,
        note: 'per-series kernel arrays and ref table by capacity, the registry\'s typed arrays, and group state, divided by input series',
      },
      // Without a forced GC the heap growth is noise (it can even be negative): left out then.
      ...(typeof globalThis.gc === 'function'
        ? [
          {
            name: 'stream-aggr',
            metric: 'js heap',
            value: heapPerSeries,
            unit: 'bytes/series',
            better: 'lower' as const,
            note: 'JS heap grown by one more classified aggregator (group keys, maps), beside the state above; needs node --expose-gc',
          },
        ]
        : []),
    ];
  },
};

export default benchmark;
