import { describe, expect, it } from 'vitest';
import type { SampleBatch } from '../../host/batch/sample-batch.js';
import { DEFAULT_TENANT } from '../../host/batch/tenant.js';
import { formatSeries, labelsFromRecord } from '../../host/series/labels.js';
import { MapSeriesIndex } from '../../host/series/map-series-index.js';
import { BatchCollector } from '../../host/wire/batch-collector.js';
import { writeSideV1 } from '../../host/wire/encode-side.js';
import { snappyCompress } from '../../host/wire/encode-snappy.js';
import { encodeLabelsV1, writeRequestV1 } from '../../host/wire/encode-v1.js';
import { V2Encoder } from '../../host/wire/encode-v2.js';
import { ProtoWriter } from '../../host/wire/encode-writer.js';
import { decodeRemoteWrite } from '../../host/wire/remote-write-request.js';
import { SeriesKeyBuilder } from '../../host/wire/series-key-builder.js';

const source = new MapSeriesIndex();
const latency = source.resolve(DEFAULT_TENANT, labelsFromRecord({ __name__: 'rpc_latency_seconds', job: 'api' }));
const requests = source.resolve(DEFAULT_TENANT, labelsFromRecord({ __name__: 'requests_total', job: 'api' }));
const histogram = { countInt: 10, sum: 5.5, schema: 1, zeroThreshold: 0.001, zeroCountInt: 1, positiveSpans: [{ offset: 0, length: 2 }], positiveDeltas: [3, 2], resetHint: 1 };

const batch: SampleBatch = {
  tenant: DEFAULT_TENANT,
  length: 2,
  refs: Uint32Array.of(requests, requests),
  ts: Float64Array.of(1000, 2000),
  values: Float64Array.of(1, 2),
  side: {
    histograms: [{ ref: latency, ts: 1500, histogram }],
    exemplars: [{ ref: requests, labels: [['trace_id', 'abc123']], value: 1, ts: 1000 }],
    metadata: [
      { metricFamilyName: 'requests', type: 'counter', help: 'Requests served.', unit: '' },
      { metricFamilyName: 'rpc_latency_seconds', type: 'histogram', help: 'RPC latency.', unit: 'seconds' },
    ],
  },
};

/** Through the decode side's own decoder, into a fresh index: what a receiver of Sluice would see. */
function roundTrip(raw: Uint8Array, version: 1 | 2) {
  const index = new MapSeriesIndex();
  const out = new BatchCollector(index, DEFAULT_TENANT, 1000);
  decodeRemoteWrite(snappyCompress(raw), version, 1 << 26, out, new SeriesKeyBuilder({ maxLabelsPerSeries: 30, maxLabelValueLength: 256, utf8Names: false }));
  const [b] = out.finish();
  const name = (ref: number) => formatSeries(index.labels(ref));
  return {
    samples: [...b!.refs.subarray(0, b!.length)].map((ref, i) => [name(ref), b!.ts[i], b!.values[i]]),
    histograms: (b!.side?.histograms ?? []).map((h) => ({ series: name(h.ref), ts: h.ts, histogram: h.histogram })),
    exemplars: (b!.side?.exemplars ?? []).map((e) => ({ series: name(e.ref), labels: e.labels, value: e.value, ts: e.ts })),
    metadata: b!.side?.metadata ?? [],
  };
}

const expected = {
  samples: [
    ['requests_total{job="api"}', 1000, 1],
    ['requests_total{job="api"}', 2000, 2],
  ],
  histograms: [{ series: 'rpc_latency_seconds{job="api"}', ts: 1500, histogram: { ...histogram, timestamp: 1500 } }],
  exemplars: [{ series: 'requests_total{job="api"}', labels: [['trace_id', 'abc123']], value: 1, ts: 1000 }],
};

describe('side columns in the hand encoders', () => {
  it('v1 carries native histograms, exemplars and metadata unchanged', () => {
    const w = new ProtoWriter();
    const labelBytes = (ref: number) => encodeLabelsV1(source.labels(ref));
    writeRequestV1(w, batch, 0, batch.length, labelBytes);
    writeSideV1(w, batch.side, labelBytes, (pairs) => encodeLabelsV1(pairs.map(([name, value]) => ({ name, value }))));
    const got = roundTrip(w.view().slice(), 1);
    expect(got).toMatchObject(expected);
    expect(got.metadata).toEqual(batch.side!.metadata);
  });

  it('v2 carries them too, metadata attached to the series of its family', () => {
    const w = new ProtoWriter();
    new V2Encoder().write(w, batch, 0, batch.length, (ref) => source.labels(ref), batch.side);
    const got = roundTrip(w.view().slice(), 2);
    expect(got).toMatchObject(expected);
    expect(got.metadata.map((m) => [m.metricFamilyName, m.type, m.help, m.unit]).sort()).toEqual([
      ['requests_total', 'counter', 'Requests served.', ''],
      ['rpc_latency_seconds', 'histogram', 'RPC latency.', 'seconds'],
    ]);
  });
});
