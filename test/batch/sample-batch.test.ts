import { describe, expect, it } from 'vitest';
import { batchBytes, sliceBatch, withWireForm, type SampleBatch } from '../../host/batch/sample-batch.js';
import { DEFAULT_TENANT } from '../../host/batch/tenant.js';

const rows: SampleBatch = { tenant: DEFAULT_TENANT, length: 2, refs: Uint32Array.of(1, 2), ts: Float64Array.of(1000, 1000), values: Float64Array.of(1, 2) };
const wire = { protocol: 1 as const, body: new Uint8Array(100) };

describe('a batch carrying the request it was decoded from', () => {
  it('keeps it on the batch object and loses it in any copy, which may differ', () => {
    const batch = withWireForm(rows, wire);
    expect(batch.wire).toBe(wire);
    expect(rows.wire).toBeUndefined();
    expect({ ...batch, values: Float64Array.of(7, 7) }.wire).toBeUndefined();
    expect(structuredClone(batch).wire).toBeUndefined();
    expect(sliceBatch(batch, 0, 1).wire).toBeUndefined();
  });

  it('counts the body toward the bytes an edge holds', () => {
    expect(batchBytes(withWireForm(rows, wire))).toBe(batchBytes(rows) + 100);
  });
});
