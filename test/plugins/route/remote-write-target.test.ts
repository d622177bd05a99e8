import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withWireForm, type SampleBatch } from '../../../host/batch/sample-batch.js';
import { STALE_NAN } from '../../../host/batch/stale.js';
import { ConfigError, DownstreamError } from '../../../host/errors.js';
import { RemoteWriteTarget } from '../../../host/routing/remote-write-target.js';
import type { RouteTarget } from '../../../host/routing/targets.js';
import { MapSeriesIndex } from '../../../host/series/map-series-index.js';
import { labelsFromRecord } from '../../../host/series/labels.js';
import { WriteRequestV1 } from '../../../host/wire/remote-write-schema.js';
import { encodeV1, snappyCompress } from '../../wire/bodies.js';
import { Receiver } from '../remote-write-sink/receiver.js';

let receiver: Receiver;
const series = new MapSeriesIndex();
const tenant = { accountId: 7, projectId: 3 };
const up = series.resolve(tenant, labelsFromRecord({ __name__: 'up', job: 'api' }));

beforeEach(async () => {
  receiver = await Receiver.start();
});
afterEach(() => receiver.close());

function target(url: string, options: Record<string, unknown> = {}): RouteTarget {
  return { name: 'n', kind: 'remote_write', url, weight: 1, options };
}

function batch(): SampleBatch {
  const b: SampleBatch = { tenant, length: 2, refs: Uint32Array.of(up, up), ts: Float64Array.of(1000, 2000), values: Float64Array.of(1, 0) };
  b.values[1] = STALE_NAN;
  return b;
}

describe('remote_write route target', () => {
  it('posts the share as remote_write 1.0 to the tenant URL and resolves once the node answered', async () => {
    const t = new RemoteWriteTarget(target(`${receiver.url}/insert/{tenant}/prometheus/api/v1/write`, { headers: { authorization: 'Bearer x' } }), { series });
    await t.consume(batch());
    expect(receiver.requests.map((r) => r.path)).toEqual(['/insert/7:3/prometheus/api/v1/write']);
    expect(receiver.requests[0]!.headers.authorization).toBe('Bearer x');
    const [s] = receiver.requests[0]!.series;
    expect(s!.labels).toEqual({ __name__: 'up', job: 'api' });
    expect(s!.samples.map(([ts]) => ts)).toEqual([1000, 2000]);
    expect(Number.isNaN(s!.samples[1]![1])).toBe(true);
    t.close();
  });

  it('sends histograms, exemplars and metadata with the rows, and a request as received as it was received', async () => {
    const t = new RemoteWriteTarget(target(receiver.url), { series });
    const side = {
      histograms: [{ ref: up, ts: 3000, histogram: { countInt: 3, sum: 1.5, schema: 0, timestamp: 3000 } }],
      exemplars: [{ ref: up, labels: [['trace_id', 'abc']] as [string, string][], value: 1, ts: 1000 }],
      metadata: [{ metricFamilyName: 'up', type: 'gauge', help: 'h', unit: '' }],
    };
    await t.consume({ ...batch(), side });
    await t.consume({ tenant, length: 0, refs: new Uint32Array(0), ts: new Float64Array(0), values: new Float64Array(0), side: { metadata: side.metadata } });
    const sent = receiver.requests.map((r) => WriteRequestV1.toObject(WriteRequestV1.decode(r.raw), { longs: Number, defaults: false }) as { timeseries?: { exemplars?: unknown[]; histograms?: unknown[] }[]; metadata?: unknown[] });
    expect(sent[0]!.timeseries!.flatMap((ts) => ts.exemplars ?? [])).toHaveLength(1);
    expect(sent[0]!.timeseries!.flatMap((ts) => ts.histograms ?? [])).toHaveLength(1);
    expect(sent[0]!.metadata).toHaveLength(1);
    expect(sent[1]!.metadata).toHaveLength(1);
    const received = snappyCompress(encodeV1([{ labels: [['__name__', 'as_received']], samples: [[5, 5]] }]));
    await t.consume(withWireForm(batch(), { protocol: 1, body: received }));
    expect(receiver.requests[2]!.body).toEqual(received);
    t.close();
  });

  it('rejects with a retryable error on 5xx and 429 and a permanent one on other 4xx', async () => {
    const t = new RemoteWriteTarget(target(receiver.url), { series });
    receiver.answer = () => 503;
    await expect(t.consume(batch())).rejects.toSatisfy((e: unknown) => e instanceof DownstreamError && e.retryable);
    receiver.answer = () => 429;
    await expect(t.consume(batch())).rejects.toSatisfy((e: unknown) => e instanceof DownstreamError && e.retryable);
    receiver.answer = () => 400;
    await expect(t.consume(batch())).rejects.toSatisfy((e: unknown) => e instanceof DownstreamError && !e.retryable);
    t.close();
  });

  it('treats a node that does not answer as retryable', async () => {
    const url = receiver.url;
    await receiver.close();
    const t = new RemoteWriteTarget(target(url), { series });
    await expect(t.consume(batch())).rejects.toSatisfy((e: unknown) => e instanceof DownstreamError && e.retryable);
    receiver = await Receiver.start();
  });

  it('refuses a target without url and unknown options', () => {
    expect(() => new RemoteWriteTarget({ ...target(''), url: undefined }, { series })).toThrow(ConfigError);
    expect(() => new RemoteWriteTarget(target(receiver.url, { timeot: '1s' }), { series })).toThrow(ConfigError);
  });
});
