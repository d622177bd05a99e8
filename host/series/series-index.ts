import type { Tenant } from '../batch/tenant.js';
import type { Labels } from './labels.js';

/**
 * Label sets to dense series refs. Every sample in Sluice is addressed by its ref; labels are
 * materialised only where a component needs them (a new series, a sink encoding it).
 * The ref space is shared by all tenants; the tenant is part of the key.
 */
export interface SeriesIndex {
  /**
   * The ref of a series, inserting it when new. Labels are sorted by name.
   * Throws `LimitExceededError` when the tenant is over its series limit.
   */
  resolve(tenant: Tenant, labels: Labels): number;
  /**
   * The same for a label set given as canonical key bytes (series-key.ts), key[0, length): the hot
   * path of decoders, which never turn a known series into strings.
   */
  resolveKey(tenant: Tenant, key: Uint8Array, length: number): number;
  /** The labels of a live ref. */
  labels(ref: number): Labels;
  /** The tenant of a live ref. */
  tenant(ref: number): Tenant;
  /** Number of live series. */
  readonly size: number;
}
