/**
 * The series (TSID) index: lookups of known series from raw key bytes, inserts of new ones, memory
 * per series with its key, and matcher evaluation, for the WebAssembly kernel against the
 * TypeScript reference (strings and a Map, matchers by scanning). Series are Kubernetes-shaped,
 * ~10 labels and ~210 key bytes each (bench/load/series-shapes.ts), in requests of 2000 series
 * whose keys are written back to back into the index's scratch buffer and resolved by one
 * resolveScratchBatch() call, as decoders do; in scrape order (targets send their series in the
 * same order every scrape, which the kernel's next-series prediction exploits) and in a random
 * order, the unfriendly case for caches, where every lookup hashes and probes. Times are CPU time
 * of this process (process.cpuUsage), because the benchmark machine is shared and wall time would
 * mostly measure the neighbours.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { ReferenceSeriesIndex } from '../host/series/reference-series-index.js';
import type { Matcher } from '../host/series/matcher.js';
import type { SeriesIndex } from '../host/series/series-index.js';
import { encodeSeriesKey } from '../host/series/series-key.js';
import { WasmSeriesIndex } from '../host/series/wasm-series-index.js';
import type { Benchmark, BenchOptions, BenchResult } from './lib/result.js';
import { median } from './lib/stats.js';
import { generateSeries } from './load/series-shapes.js';
import { seededRandom } from './load/random.js';

const TENANT = { accountId: 0, projectId: 0 };

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** CPU microseconds of this process: the machine is shared, so wall time would measure the neighbours. */
function cpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** Units per second of CPU time, running `fn` (which returns the units it did) for at least `ms`. */
function cpuRate(fn: () => number, ms: number): number {
  const start = cpuMicros();
  let units = 0;
  let spent = 0;
  do {
    units += fn();
    spent = cpuMicros() - start;
  } while (spent < ms * 1000);
  return units / (spent / 1e6);
}

/** Heap in use after a full collection, so a delta is what the index keeps alive. */
function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
}

/** A request's worth of keys, back to back as a decoder writes them, and where each starts. */
interface Request {
  bytes: Uint8Array;
  offsets: Uint32Array;
  count: number;
}

const REQUEST_SERIES = 2000;

/** The keys in the given order, cut into requests of REQUEST_SERIES. */
function makeRequests(keys: Uint8Array[], order: ArrayLike<number>): Request[] {
  const out: Request[] = [];
  for (let start = 0; start < order.length; start += REQUEST_SERIES) {
    const count = Math.min(REQUEST_SERIES, order.length - start);
    const offsets = new Uint32Array(count + 1);
    for (let i = 0; i < count; i++) offsets[i + 1] = offsets[i]! + keys[order[start + i]!]!.length;
    const bytes = new Uint8Array(offsets[count]!);
    for (let i = 0; i < count; i++) bytes.set(keys[order[start + i]!]!, offsets[i]!);
    out.push({ bytes, offsets, count });
  }
  return out;
}

/** The decoder's hot path: the request's keys go into the index's scratch buffer, one call resolves them. */
function resolveRequest(index: SeriesIndex, r: Request, out: Uint32Array): number {
  index.scratch(r.bytes.length).set(r.bytes);
  index.resolveScratchBatch(TENANT, r.offsets, r.count, out);
  return r.count;
}

const SELECTORS: [string, Matcher[]][] = [
  ['equality pair', [{ name: '__name__', type: '=', value: 'http_requests_total' }, { name: 'namespace', type: '=', value: 'payments' }]],
  ['regex on pod (high cardinality)', [{ name: 'pod', type: '=~', value: 'checkout-.*-1[0-9a-f]+' }]],
  ['negative matcher', [{ name: '__name__', type: '=', value: 'http_requests_total' }, { name: 'code', type: '!=', value: '200' }]],
];

interface Figures {
  insertsPerSec: number;
  lookupsPerSec: number;
  randomLookupsPerSec: number;
  bytesPerSeries: number;
  selectMs: number[];
}

async function measure(create: () => Promise<SeriesIndex & { memoryStats?: () => { reserved: number; memory: number } }>, inOrder: Request[], shuffled: Request[], ms: number, withSelect: boolean): Promise<Figures> {
  const count = inOrder.reduce((n, r) => n + r.count, 0);
  const out = new Uint32Array(REQUEST_SERIES);
  const before = heapAfterGc();
  const index = await create();
  const t0 = cpuMicros();
  for (const r of inOrder) resolveRequest(index, r, out);
  const insertsPerSec = count / ((cpuMicros() - t0) / 1e6);
  // For the kernel: bytes its allocator took from the heap (live blocks plus free-list slack). The
  // wasm memory itself is larger, because the stub runtime doubles it on each grow, but pages
  // never touched are never resident.
  const bytes = index.memoryStats ? index.memoryStats().reserved : heapAfterGc() - before;
  const lookups = (requests: Request[]) => {
    let i = 0;
    const step = () => resolveRequest(index, requests[i++ % requests.length]!, out);
    cpuRate(step, ms / 4);
    return cpuRate(step, ms);
  };
  const lookupsPerSec = lookups(inOrder);
  const randomLookupsPerSec = lookups(shuffled);
  const selectMs = !withSelect
    ? []
    : SELECTORS.map(([, m]) => {
        const runs: number[] = [];
        for (let r = 0; r < 3; r++) {
          const s = cpuMicros();
          index.select(TENANT, m);
          runs.push((cpuMicros() - s) / 1000);
        }
        return median(runs);
      });
  return { insertsPerSec, lookupsPerSec, randomLookupsPerSec, bytesPerSeries: bytes / count, selectMs };
}

const benchmark: Benchmark = {
  name: 'series-index',
  description: 'series index: lookups, inserts, bytes/series at 100k and 1M series, matcher evaluation over 1M; WebAssembly kernel vs TypeScript reference',
  async run({ quick, log }: BenchOptions): Promise<BenchResult[]> {
    const sizes = quick ? [100_000] : [100_000, 1_000_000];
    const ms = quick ? 300 : 1500;
    const results: BenchResult[] = [];
    for (const size of sizes) {
      const keys = generateSeries(size, 7).map((x) => encodeSeriesKey(x.labels));
      const rand = seededRandom(size);
      const order = new Uint32Array(size).map((_, i) => i);
      const inOrder = makeRequests(keys, order);
      for (let i = size - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      const shuffled = makeRequests(keys, order);
      const withSelect = size === sizes[sizes.length - 1];
      const wasm = await measure(() => WasmSeriesIndex.create(), inOrder, shuffled, ms, withSelect);
      log?.(`${size} wasm: ${(1e9 / wasm.lookupsPerSec).toFixed(1)} ns/lookup (random ${(1e9 / wasm.randomLookupsPerSec).toFixed(1)}), ${(wasm.insertsPerSec / 1e6).toFixed(2)}M inserts/s, ${wasm.bytesPerSeries.toFixed(0)} B/series`);
      const ref = await measure(async () => new ReferenceSeriesIndex(), inOrder, shuffled, ms, withSelect);
      log?.(`${size} reference: ${(1e9 / ref.lookupsPerSec).toFixed(1)} ns/lookup (random ${(1e9 / ref.randomLookupsPerSec).toFixed(1)}), ${(ref.insertsPerSec / 1e6).toFixed(2)}M inserts/s, ${ref.bytesPerSeries.toFixed(0)} B/series`);
      const n = size >= 1e6 ? `${size / 1e6}M` : `${size / 1e3}k`;
      const reference = 'typescript reference (strings + Map)';
      results.push(
        { name: `series-index-${n}`, metric: 'lookup existing series (scrape order)', value: wasm.lookupsPerSec, unit: 'ops/s', reference, referenceValue: ref.lookupsPerSec, ratio: wasm.lookupsPerSec / ref.lookupsPerSec, better: 'higher' },
        { name: `series-index-${n}`, metric: 'CPU ns per lookup', value: 1e9 / wasm.lookupsPerSec, unit: 'ns/op', reference, referenceValue: 1e9 / ref.lookupsPerSec, ratio: wasm.lookupsPerSec / ref.lookupsPerSec, better: 'lower' },
        { name: `series-index-${n}`, metric: 'CPU ns per lookup, random order', value: 1e9 / wasm.randomLookupsPerSec, unit: 'ns/op', reference, referenceValue: 1e9 / ref.randomLookupsPerSec, ratio: wasm.randomLookupsPerSec / ref.randomLookupsPerSec, better: 'lower' },
        { name: `series-index-${n}`, metric: 'insert new series', value: wasm.insertsPerSec, unit: 'ops/s', reference, referenceValue: ref.insertsPerSec, ratio: wasm.insertsPerSec / ref.insertsPerSec, better: 'higher' },
        { name: `series-index-${n}`, metric: 'memory per series with key', value: wasm.bytesPerSeries, unit: 'bytes', reference, referenceValue: ref.bytesPerSeries, ratio: ref.bytesPerSeries / wasm.bytesPerSeries, better: 'lower' },
      );
      SELECTORS.forEach(([what], i) => {
        if (!withSelect) return;
        const w = wasm.selectMs[i]!;
        const r = ref.selectMs[i]!;
        results.push({ name: `series-index-select-${n}`, metric: what, value: w, unit: 'ms', reference: 'typescript reference (scan)', ...(i === 0 ? { note: 'select times are the CPU time of one select() call, median of 3' } : {}), referenceValue: r, ratio: r / w, better: 'lower' });
      });
    }
    return results;
  },
};

export default benchmark;
