import { hasSideRows, type SampleBatch } from '../../batch/sample-batch.js';
import type { WireBatch } from './protocol.js';

/**
 * A copy of a batch's rows in buffers of their own, ready to transfer: the original may be
 * shared with other consumers, so it is never detached. Side columns go along, cloned.
 */
export function toWire(b: SampleBatch): { batch: WireBatch; transfer: ArrayBuffer[] } {
  const refs = b.refs.slice(0, b.length);
  const ts = b.ts.slice(0, b.length);
  const values = b.values.slice(0, b.length);
  return {
    batch: { tenant: { accountId: b.tenant.accountId, projectId: b.tenant.projectId }, length: b.length, refs, ts, values, ...(hasSideRows(b) ? { side: b.side } : {}) },
    transfer: [refs.buffer, ts.buffer, values.buffer],
  };
}

/** Every ref a batch names: its rows', then its exemplars' and histograms'. */
export function refsOf(b: SampleBatch): Uint32Array {
  const side = [...(b.side?.exemplars ?? []), ...(b.side?.histograms ?? [])];
  if (side.length === 0) return b.refs.subarray(0, b.length);
  const out = new Uint32Array(b.length + side.length);
  out.set(b.refs.subarray(0, b.length));
  side.forEach((row, i) => (out[b.length + i] = row.ref));
  return out;
}
