import type { SampleBatch } from '../../../host/batch/sample-batch.js';
import { DEFAULT_TENANT } from '../../../host/batch/tenant.js';
import { labelsFromRecord } from '../../../host/series/labels.js';
import type { SeriesIndex } from '../../../host/series/series-index.js';
import manifest, { type StreamAggrProcessor } from '../../../plugins/stream-aggr/index.js';
import { streamAggrSchema } from '../../../plugins/stream-aggr/config.js';
import { createTestHost, type TestHost } from '../../kit/context.js';
import { RecordingConsumer } from '../../kit/recording-consumer.js';

export const T0 = Date.UTC(2026, 0, 1);

/** A stream_aggr instance on a test host; `host` may be shared to restart on the same data dir. */
export async function startProcessor(config: unknown, host: TestHost = createTestHost(), generation = 1) {
  const owned = host.context('stream_aggr/test', generation);
  const sink = new RecordingConsumer();
  const proc = (await manifest.create(owned.ctx, streamAggrSchema.parse(config), sink)) as StreamAggrProcessor;
  await proc.start();
  return { host, owned, sink, proc };
}

export function batchOf(series: SeriesIndex, rows: [Record<string, string>, number, number][]): SampleBatch {
  return {
    tenant: DEFAULT_TENANT,
    length: rows.length,
    refs: Uint32Array.from(rows.map(([l]) => series.resolve(DEFAULT_TENANT, labelsFromRecord(l)))),
    ts: Float64Array.from(rows.map((r) => r[1])),
    values: Float64Array.from(rows.map((r) => r[2])),
  };
}

export { createTestHost };
