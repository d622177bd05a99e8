import { DEFAULT_TENANT } from '../../host/batch/tenant.js';
import type { SampleBatch } from '../../host/batch/sample-batch.js';
import { encodeLabelsV1, writeRequestV1 } from '../../host/wire/encode-v1.js';
import { V2Encoder } from '../../host/wire/encode-v2.js';
import { snappyCompress } from '../../host/wire/encode-snappy.js';
import { ProtoWriter } from '../../host/wire/encode-writer.js';
import type { RemoteWriteVersion } from '../../host/wire/remote-write-request.js';
import { SampleValues } from './sample-values.js';
import { generateSeries } from './series-shapes.js';

/** What to encode. */
export interface BodySpec {
  version: RemoteWriteVersion;
  /** Distinct series; every scrape sends one sample of each. */
  series: number;
  /** Series (= samples) per request body; Prometheus sends up to 2000 by default (max_samples_per_send). */
  samplesPerBody: number;
  /** Scrapes encoded; the replay cycles through them. */
  scrapes: number;
  /** Timestamp of the first scrape (ms) and the scrape interval. */
  startMs: number;
  intervalMs: number;
  seed?: number;
  /** Chance per scrape that a counter (or a whole histogram) restarts from zero. */
  resetProbability?: number;
}

/** Pre-encoded request bodies and what they hold. */
export interface EncodedBodies {
  version: RemoteWriteVersion;
  /** Snappy-compressed protobuf, ready to send. */
  bodies: Uint8Array[];
  /** Samples in each body, to count accepted samples without decoding. */
  samples: number[];
  rawBytes: number;
  compressedBytes: number;
  series: number;
  resets: number;
}

/**
 * Encodes `scrapes` scrapes of `series` series into snappy-compressed remote_write bodies, once,
 * before any run: the cost of encoding must not be part of what a benchmark measures. Uses
 * Sluice's own encoders (host/wire), the ones its remote_write sink sends with.
 */
export function buildBodies(spec: BodySpec): EncodedBodies {
  if (spec.samplesPerBody < 1 || spec.series < 1 || spec.scrapes < 1) throw new RangeError('series, samplesPerBody and scrapes must be at least 1');
  const series = generateSeries(spec.series, spec.seed ?? 1);
  const values = new SampleValues(series, { seed: (spec.seed ?? 1) + 1, resetProbability: spec.resetProbability ?? 0.002 });
  const labelsOf = (ref: number) => series[ref]!.labels;
  const v1Labels = spec.version === 1 ? series.map((s) => encodeLabelsV1(s.labels)) : [];
  const v2 = new V2Encoder();
  const w = new ProtoWriter(1 << 20);
  const out: EncodedBodies = { version: spec.version, bodies: [], samples: [], rawBytes: 0, compressedBytes: 0, series: series.length, resets: 0 };
  // One batch per body: refs are indexes into `series`, which is all the encoders need of an index.
  const per = spec.samplesPerBody;
  const refs = new Uint32Array(per);
  const ts = new Float64Array(per);
  const vals = new Float64Array(per);
  for (let scrape = 0; scrape < spec.scrapes; scrape++) {
    const v = values.next();
    ts.fill(spec.startMs + scrape * spec.intervalMs);
    for (let from = 0; from < series.length; from += per) {
      const n = Math.min(series.length, from + per) - from;
      for (let i = 0; i < n; i++) refs[i] = from + i;
      vals.set(v.subarray(from, from + n));
      const batch: SampleBatch = { tenant: DEFAULT_TENANT, length: n, refs, ts, values: vals };
      if (spec.version === 1) {
        w.reset();
        writeRequestV1(w, batch, 0, n, (ref) => v1Labels[ref]!);
      } else {
        v2.write(w, batch, 0, n, labelsOf);
      }
      const raw = w.view();
      const compressed = snappyCompress(raw);
      out.bodies.push(compressed);
      out.samples.push(n);
      out.rawBytes += raw.byteLength;
      out.compressedBytes += compressed.byteLength;
    }
  }
  out.resets = values.resets;
  return out;
}
