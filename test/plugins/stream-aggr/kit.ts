import manifest, { type StreamAggrProcessor } from '../../../plugins/stream-aggr/index.js';
import { streamAggrSchema } from '../../../plugins/stream-aggr/config.js';
import { batchOf } from '../../kit/batches.js';
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

export { batchOf };

export { createTestHost };
