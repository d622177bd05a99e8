/**
 * Decoding remote_write bodies as the remote_write source does, per core, from pre-encoded
 * bodies (100k series of ~10 labels shaped like Kubernetes app metrics, 2000 samples per request,
 * v1 and v2): snappy alone (the asm/snappy kernel vs its TypeScript reference vs snappyjs),
 * protobufjs object decoding (the reference), and the hand-written walker writing series keys and
 * resolving them in the WebAssembly series index (steady state: every series already known), with
 * and without decompression, and (v1) all of it inside the series-index kernel.
 */
import snappyjs from 'snappyjs';
import { DEFAULT_TENANT } from '../host/batch/tenant.js';
import { createSeriesIndex } from '../host/series/create-series-index.js';
import type { Label } from '../host/series/labels.js';
import type { SeriesIndex } from '../host/series/series-index.js';
import { BatchCollector } from '../host/wire/batch-collector.js';
import { decodeWriteRequestV1 } from '../host/wire/decode-v1.js';
import { decodeRequestV2 } from '../host/wire/decode-v2.js';
import { KernelDecoderV1 } from '../host/wire/kernel-decode-v1.js';
import type { RemoteWriteVersion } from '../host/wire/remote-write-request.js';
import { RequestV2, WriteRequestV1 } from '../host/wire/remote-write-schema.js';
import { SeriesKeyBuilder } from '../host/wire/series-key-builder.js';
import { snappyDecompress } from '../host/wire/snappy.js';
import { WasmSnappy } from '../host/wire/snappy-wasm.js';
import type { Benchmark, BenchOptions, BenchResult } from './lib/result.js';
import { median, ratePerSecond } from './lib/stats.js';
import { buildBodies, type EncodedBodies } from './load/body-builder.js';

const SERIES = 100_000;
const PER_BODY = 2000;
const LIMITS = { maxLabelsPerSeries: 100, maxLabelValueLength: 4096, utf8Names: false };
const MAX = 32 << 20;

interface Corpus {
  bodies: EncodedBodies;
  raw: Uint8Array[];
}

/**
 * Calls `step` over the bodies in turn; returns samples per CPU-second of this process (median of
 * `repeats`). CPU time rather than wall time, because the machine is shared: a wall-clock rate
 * moves with everyone else's load, and the ratios between paths measured seconds apart with it.
 */
function measure(corpus: Corpus, step: (i: number) => void, ms: number, repeats: number): number {
  let i = 0;
  const n = corpus.bodies.bodies.length;
  const fn = () => {
    const k = i++ % n;
    step(k);
    return corpus.bodies.samples[k]!;
  };
  ratePerSecond(fn, ms / 3);
  const runs: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const before = process.cpuUsage();
    let samples = 0;
    do samples += fn();
    while (cpuMs(before) < ms);
    runs.push(samples / (cpuMs(before) / 1000));
  }
  return median(runs);
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
}

function walk(version: RemoteWriteVersion, index: SeriesIndex, keys: SeriesKeyBuilder, raw: Uint8Array): void {
  const out = new BatchCollector(index, DEFAULT_TENANT, 10_000);
  if (version === 1) decodeWriteRequestV1(raw, out, keys);
  else decodeRequestV2(raw, out, keys);
  out.finish();
}

/**
 * What a straightforward receiver does with protobufjs: decode to objects, build each series'
 * label list from strings, resolve it in the same index, fill the same batch columns.
 */
function referenceDecode(version: RemoteWriteVersion, index: SeriesIndex, raw: Uint8Array): void {
  const out = new BatchCollector(index, DEFAULT_TENANT, 10_000);
  if (version === 1) {
    const msg = WriteRequestV1.decode(raw) as unknown as { timeseries: { labels: Label[]; samples: { value: number; timestamp: unknown }[] }[] };
    for (const ts of msg.timeseries) {
      const ref = index.resolve(DEFAULT_TENANT, ts.labels.map((l) => ({ name: l.name, value: l.value })));
      for (const s of ts.samples) out.sample(ref, Number(s.timestamp), s.value);
    }
  } else {
    const msg = RequestV2.decode(raw) as unknown as { symbols: string[]; timeseries: { labelsRefs: number[]; samples: { value: number; timestamp: unknown }[] }[] };
    for (const ts of msg.timeseries) {
      const labels: Label[] = [];
      for (let i = 0; i < ts.labelsRefs.length; i += 2) labels.push({ name: msg.symbols[ts.labelsRefs[i]!]!, value: msg.symbols[ts.labelsRefs[i + 1]!]! });
      const ref = index.resolve(DEFAULT_TENANT, labels);
      for (const s of ts.samples) out.sample(ref, Number(s.timestamp), s.value);
    }
  }
  out.finish();
}

async function runVersion(version: RemoteWriteVersion, opts: BenchOptions): Promise<BenchResult[]> {
  const ms = opts.quick ? 300 : 2000;
  const repeats = opts.repeats ?? (opts.quick ? 1 : 3);
  const bodies = buildBodies({ version, series: SERIES, samplesPerBody: PER_BODY, scrapes: 1, startMs: 1_700_000_000_000, intervalMs: 15_000 });
  const corpus: Corpus = { bodies, raw: bodies.bodies.map((b) => snappyDecompress(b, MAX)) };
  const name = `remote-write-decode-v${version}`;
  opts.log?.(`${name}: ${bodies.bodies.length} bodies, ${(bodies.compressedBytes / bodies.bodies.length / 1024).toFixed(1)} KiB snappy / ${(bodies.rawBytes / bodies.bodies.length / 1024).toFixed(1)} KiB raw each`);
  const type = version === 1 ? WriteRequestV1 : RequestV2;
  const index = await createSeriesIndex({ capacity: SERIES * 2 });
  // As the remote_write source runs it: label checks only for series the index has not seen.
  const keys = new SeriesKeyBuilder(LIMITS, 'series', { deferChecks: true });
  for (const raw of corpus.raw) walk(version, index, keys, raw);

  const kernel = await WasmSnappy.create();
  const snappyKernel = measure(corpus, (k) => kernel.decompress(bodies.bodies[k]!, MAX), ms, repeats);
  const snappyMine = measure(corpus, (k) => snappyDecompress(bodies.bodies[k]!, MAX), ms, repeats);
  const snappyJs = measure(corpus, (k) => snappyjs.uncompress(bodies.bodies[k]!), ms, repeats);
  const objectsOnly = measure(corpus, (k) => type.decode(snappyjs.uncompress(bodies.bodies[k]!)), ms, repeats);
  const reference = measure(corpus, (k) => referenceDecode(version, index, snappyjs.uncompress(bodies.bodies[k]!)), ms, repeats);
  const walkerOnly = measure(corpus, (k) => walk(version, index, keys, corpus.raw[k]!), ms, repeats);
  const full = measure(corpus, (k) => walk(version, index, keys, kernel.decompress(bodies.bodies[k]!, MAX)), ms, repeats);
  const bytesPerSample = bodies.compressedBytes / bodies.samples.reduce((a, b) => a + b, 0);
  const inIndex: BenchResult[] = [];
  if (version === 1 && index.kernel) {
    const kernelDecode = (decoder: KernelDecoderV1) =>
      measure(corpus, (k) => {
        const out = new BatchCollector(index, DEFAULT_TENANT, 10_000);
        decoder.decodeWriteRequest(bodies.bodies[k]!, MAX, DEFAULT_TENANT, out);
        out.finish();
      }, ms, repeats);
    const byKey = kernelDecode(new KernelDecoderV1(index.kernel, keys, LIMITS, 0));
    // As the remote_write source runs it: series matched by the label bytes they last came with.
    const byWire = kernelDecode(new KernelDecoderV1(index.kernel, keys, LIMITS, 1 << 30));
    inIndex.push(
      { name, metric: 'series-index kernel: snappy + walk + resolve by wire labels', value: byWire, unit: 'samples/s', reference: 'the same, resolving by key', referenceValue: byKey, ratio: byWire / byKey },
      { name, metric: 'series-index kernel: snappy + walk + resolve by key', value: byKey, unit: 'samples/s', reference: 'snappy kernel + walk + resolve', referenceValue: full, ratio: byKey / full },
    );
  }
  return [
    ...inIndex,
    { name, metric: `snappy kernel (${kernel.implementation})`, value: snappyKernel, unit: 'samples/s', reference: 'snappy.ts', referenceValue: snappyMine, ratio: snappyKernel / snappyMine },
    { name, metric: 'snappy.ts (TypeScript)', value: snappyMine, unit: 'samples/s', reference: 'snappyjs', referenceValue: snappyJs, ratio: snappyMine / snappyJs },
    { name, metric: 'snappyjs + protobufjs objects only', value: objectsOnly, unit: 'samples/s' },
    { name, metric: 'snappyjs + protobufjs + resolve labels (reference)', value: reference, unit: 'samples/s' },
    { name, metric: 'walk + resolve (no snappy)', value: walkerOnly, unit: 'samples/s' },
    { name, metric: 'snappy kernel + walk + resolve', value: full, unit: 'samples/s', reference: 'snappyjs + protobufjs + resolve labels', referenceValue: reference, ratio: full / reference },
    { name, metric: 'snappy body bytes/sample', value: bytesPerSample, unit: 'bytes' },
  ];
}

const benchmark: Benchmark = {
  name: 'remote-write-decode',
  description: 'remote_write v1/v2 body decoding, samples per CPU-second: snappy, protobufjs objects vs the hand-written walker resolving keys in the WebAssembly series index',
  async run(opts) {
    return [...(await runVersion(1, opts)), ...(await runVersion(2, opts))];
  },
};

export default benchmark;
