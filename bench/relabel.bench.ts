/**
 * The relabel processor's cost per sample with a realistic 10-rule config over 100k series of ~10
 * labels: steady state (every series seen before: one array read per sample), first sight (every
 * sample a series this relabeler has not seen: rules run, output resolved in the index), against a
 * reference that relabels every sample without the cache, as a naive processor would. Also steady
 * state under rules that change none of the series, where the batch itself is passed on.
 */
import type { SampleBatch } from '../host/batch/sample-batch.js';
import { DEFAULT_TENANT } from '../host/batch/tenant.js';
import { relabelConfigsSchema } from '../host/relabel/config.js';
import { RelabelEngine } from '../host/relabel/engine.js';
import { RefRelabeler } from '../host/relabel/ref-relabeler.js';
import { labelsFromRecord } from '../host/series/labels.js';
import { createSeriesIndex } from '../host/series/create-series-index.js';
import type { SeriesIndex } from '../host/series/series-index.js';
import type { Benchmark, BenchOptions, BenchResult } from './lib/result.js';
import { median, ratePerSecond } from './lib/stats.js';
import { randomInt, seededRandom } from './load/random.js';

const SERIES = 100_000;
const BATCH = 2000;

/** What a gateway in front of a Kubernetes cluster typically runs: drops, renames, sharding, cleanup. */
const RULES = relabelConfigsSchema.parse([
  { source_labels: ['__name__'], regex: 'go_(gc|memstats)_.*|process_.*', action: 'drop' },
  { action: 'drop', if: '{path=~"/debug/.*"}' },
  { source_labels: ['instance'], regex: '([^:]+):\\d+', target_label: 'host' },
  { source_labels: ['method'], target_label: 'method', action: 'lowercase' },
  { source_labels: ['status'], regex: '(\\d)\\d\\d', target_label: 'status_class', replacement: '${1}xx' },
  { regex: '__meta_kubernetes_pod_label_(.+)', action: 'labelmap' },
  { regex: '__meta_.*|pod_template_hash', action: 'labeldrop' },
  { source_labels: ['host'], modulus: 16, target_label: 'shard', action: 'hashmod' },
  { target_label: 'cluster', replacement: 'eu-west-1' },
  { source_labels: ['namespace', 'app'], separator: '/', target_label: 'service' },
]);

/** Rules a gateway may carry for other sources, which match none of these series. */
const UNCHANGED_RULES = relabelConfigsSchema.parse([
  { source_labels: ['__name__'], regex: 'node_.*', action: 'drop' },
  { source_labels: ['job'], regex: 'kubelet', target_label: 'team', replacement: 'infra' },
  { regex: 'container_id', action: 'labeldrop' },
]);

const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];
const METRICS = ['http_requests_total', 'http_request_duration_seconds_bucket', 'go_gc_duration_seconds', 'process_cpu_seconds_total', 'rpc_calls_total'];

function makeSeries(index: SeriesIndex): number[] {
  const rand = seededRandom(0x7e1abe1);
  const refs: number[] = [];
  for (let i = 0; i < SERIES; i++) {
    const labels = labelsFromRecord({
      __name__: METRICS[randomInt(rand, METRICS.length)]!,
      instance: `10.0.${i % 250}.${(i >> 8) % 250}:9100`,
      job: `job-${i % 50}`,
      namespace: `ns-${i % 20}`,
      method: METHODS[randomInt(rand, METHODS.length)]!,
      status: String(200 + 100 * randomInt(rand, 4)),
      path: randomInt(rand, 50) === 0 ? '/debug/pprof' : `/api/v1/items/${i % 1000}`,
      __meta_kubernetes_pod_label_app: `app-${i % 100}`,
      pod_template_hash: `h${i % 7919}`,
      series: String(i),
    });
    refs.push(index.resolve(DEFAULT_TENANT, labels));
  }
  return refs;
}

function makeBatches(refs: number[]): SampleBatch[] {
  const rand = seededRandom(0xba7c4);
  const batches: SampleBatch[] = [];
  for (let b = 0; b < 32; b++) {
    const r = new Uint32Array(BATCH);
    for (let i = 0; i < BATCH; i++) r[i] = refs[randomInt(rand, refs.length)]!;
    batches.push({ tenant: DEFAULT_TENANT, length: BATCH, refs: r, ts: new Float64Array(BATCH).fill(1.7e12), values: new Float64Array(BATCH).fill(1) });
  }
  return batches;
}

const benchmark: Benchmark = {
  name: 'relabel',
  description: 'relabel processor, 10 rules, 100k series: steady state (cache hits) and first sight vs relabeling every sample',
  async run({ quick, repeats = quick ? 1 : 3, log }: BenchOptions): Promise<BenchResult[]> {
    const ms = quick ? 300 : 1500;
    // The production index (the WebAssembly kernel), as ctx.series is in a running host.
    const index = await createSeriesIndex({ capacity: SERIES * 2 });
    const refs = makeSeries(index);
    const batches = makeBatches(refs);
    const engine = new RelabelEngine(RULES);
    const unchangedEngine = new RelabelEngine(UNCHANGED_RULES);
    const runs = { steady: [] as number[], unchanged: [] as number[], first: [] as number[], reference: [] as number[] };
    let cacheBytes = 0;
    for (let r = 0; r < repeats; r++) {
      const relabeler = new RefRelabeler(index, engine);
      let next = 0;
      const steady = () => (relabeler.rewrite(batches[next++ % batches.length]!), BATCH);
      for (const b of batches) relabeler.rewrite(b); // warm every series into the cache
      ratePerSecond(steady, ms / 4);
      runs.steady.push(ratePerSecond(steady, ms));
      cacheBytes = relabeler.cacheBytes;

      const passing = new RefRelabeler(index, unchangedEngine);
      const unchanged = () => (passing.rewrite(batches[next++ % batches.length]!), BATCH);
      for (const b of batches) passing.rewrite(b);
      ratePerSecond(unchanged, ms / 4);
      runs.unchanged.push(ratePerSecond(unchanged, ms));

      // First sight: a fresh relabeler per pass, walking every series once.
      let fresh = new RefRelabeler(index, engine);
      let offset = 0;
      const first = () => {
        if (offset >= refs.length) {
          fresh = new RefRelabeler(index, engine);
          offset = 0;
        }
        const n = Math.min(BATCH, refs.length - offset);
        fresh.rewrite({ tenant: DEFAULT_TENANT, length: n, refs: Uint32Array.from(refs.slice(offset, offset + n)), ts: new Float64Array(n), values: new Float64Array(n) });
        offset += n;
        return n;
      };
      runs.first.push(ratePerSecond(first, ms));

      const reference = () => {
        const b = batches[next++ % batches.length]!;
        for (let i = 0; i < b.length; i++) {
          const out = engine.relabel(index.labels(b.refs[i]!));
          if (out) index.resolve(b.tenant, out);
        }
        return b.length;
      };
      runs.reference.push(ratePerSecond(reference, ms));
      log?.(`repeat ${r + 1}/${repeats}: steady ${(runs.steady.at(-1)! / 1e6).toFixed(2)}M/s, unchanged ${(runs.unchanged.at(-1)! / 1e6).toFixed(2)}M/s, first sight ${(runs.first.at(-1)! / 1e3).toFixed(1)}k/s, reference ${(runs.reference.at(-1)! / 1e3).toFixed(1)}k/s`);
    }
    const ref = median(runs.reference);
    const steady = median(runs.steady);
    const first = median(runs.first);
    const unchanged = median(runs.unchanged);
    return [
      { name: 'relabel', metric: 'reference (no cache)', value: ref, unit: 'samples/s', runs: runs.reference },
      { name: 'relabel', metric: 'steady state', value: steady, unit: 'samples/s', reference: 'reference (no cache)', referenceValue: ref, ratio: steady / ref, runs: runs.steady },
      { name: 'relabel', metric: 'steady, rules change nothing', value: unchanged, unit: 'samples/s', reference: 'reference (no cache)', referenceValue: ref, ratio: unchanged / ref, runs: runs.unchanged },
      { name: 'relabel', metric: 'first sight', value: first, unit: 'samples/s', reference: 'reference (no cache)', referenceValue: ref, ratio: first / ref, runs: runs.first },
      { name: 'relabel', metric: 'cache bytes/series', value: cacheBytes / SERIES, unit: 'bytes', better: 'lower' },
    ];
  },
};

export default benchmark;
