import type { SampleBatch } from '../../host/batch/sample-batch.js';
import { DEFAULT_TENANT, type Tenant } from '../../host/batch/tenant.js';
import { labelsFromRecord } from '../../host/series/labels.js';
import type { SeriesIndex } from '../../host/series/series-index.js';

/** A row for batchOf: labels, timestamp (ms), value. */
export type Row = [Record<string, string>, number, number];

/** A batch of rows, resolving each row's labels in `series`. */
export function batchOf(series: SeriesIndex, rows: Row[], tenant: Tenant = DEFAULT_TENANT): SampleBatch {
  const values = new Float64Array(rows.length);
  // Assigned one by one: building from a plain array of doubles may canonicalise NaN payloads (the stale marker).
  rows.forEach((r, i) => (values[i] = r[2]));
  return {
    tenant,
    length: rows.length,
    refs: Uint32Array.from(rows.map(([l]) => series.resolve(tenant, labelsFromRecord(l)))),
    ts: Float64Array.from(rows.map((r) => r[1])),
    values,
  };
}
