import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../host/plugin/context.js';
import { batchOf, createTestHost, startProcessor } from './kit.js';

describe('stream_aggr on the real clock', () => {
  it('flushes on its own timer at the next interval boundary, stamped with it', async () => {
    const host = createTestHost({ clock: systemClock });
    try {
      const { proc, sink, owned } = await startProcessor({ rules: [{ interval: '1s', outputs: ['count_samples'], flush_on_shutdown: true }], persist_state: false }, host);
      await proc.consume(batchOf(host.series, [[{ __name__: 'tick', job: 'x' }, Date.now(), 1]]));
      const deadline = Date.now() + 10_000;
      while (sink.samples().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const [first] = sink.samples();
      expect(first?.value).toBe(1);
      expect(first!.ts % 1000).toBe(0);
      await proc.stop();
      owned.teardown();
    } finally {
      host.cleanup();
    }
  });
});
