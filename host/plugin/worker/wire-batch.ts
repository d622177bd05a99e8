import type { SampleBatch } from '../../batch/sample-batch.js';
import type { WireBatch } from './protocol.js';

/**
 * A copy of a batch's rows in buffers of their own, ready to transfer: the original may be
 * shared with other consumers, so it is never detached.
 */
export function toWire(b: SampleBatch): { batch: WireBatch; transfer: ArrayBuffer[] } {
  const refs = b.refs.slice(0, b.length);
  const ts = b.ts.slice(0, b.length);
  const values = b.values.slice(0, b.length);
  return {
    batch: { tenant: { accountId: b.tenant.accountId, projectId: b.tenant.projectId }, length: b.length, refs, ts, values },
    transfer: [refs.buffer, ts.buffer, values.buffer],
  };
}
