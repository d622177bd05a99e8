import type { Tenant } from '../batch/tenant.js';

/**
 * A series' TSID, laid out as in VictoriaMetrics: ordering by it groups one tenant's data and,
 * within it, one metric's series, then a job's and an instance's. The name, job and instance ids
 * are the index's label-pair ids (0 when the label is absent); metricId is unique per series ever
 * created, so a reused ref still gets a new TSID.
 */
export interface Tsid {
  readonly accountId: number;
  readonly projectId: number;
  readonly metricNameId: number;
  readonly jobId: number;
  readonly instanceId: number;
  readonly metricId: number;
}

export function makeTsid(tenant: Tenant, metricNameId: number, jobId: number, instanceId: number, metricId: number): Tsid {
  return { accountId: tenant.accountId, projectId: tenant.projectId, metricNameId, jobId, instanceId, metricId };
}

/** Orders TSIDs field by field in layout order. */
export function compareTsid(a: Tsid, b: Tsid): number {
  return (
    a.accountId - b.accountId ||
    a.projectId - b.projectId ||
    a.metricNameId - b.metricNameId ||
    a.jobId - b.jobId ||
    a.instanceId - b.instanceId ||
    a.metricId - b.metricId
  );
}
