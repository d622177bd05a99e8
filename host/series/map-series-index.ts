import type { Tenant } from '../batch/tenant.js';
import type { Labels } from './labels.js';
import type { SeriesIndex } from './series-index.js';
import { decodeSeriesKey } from './series-key.js';

/**
 * A SeriesIndex on a JavaScript Map keyed by the decoded label strings: the plain reference the
 * WebAssembly index is compared against, and a small index for tests.
 */
export class MapSeriesIndex implements SeriesIndex {
  #refs = new Map<string, number>();
  #labels: Labels[] = [];
  #tenants: Tenant[] = [];

  resolve(tenant: Tenant, labels: Labels): number {
    const key = seriesKey(tenant, labels);
    let ref = this.#refs.get(key);
    if (ref === undefined) {
      ref = this.#labels.length;
      this.#refs.set(key, ref);
      this.#labels.push(labels);
      this.#tenants.push(tenant);
    }
    return ref;
  }

  resolveKey(tenant: Tenant, key: Uint8Array, length: number): number {
    return this.resolve(tenant, decodeSeriesKey(key, 0, length));
  }

  labels(ref: number): Labels {
    const l = this.#labels[ref];
    if (l === undefined) throw new RangeError(`unknown series ref ${ref}`);
    return l;
  }

  tenant(ref: number): Tenant {
    const t = this.#tenants[ref];
    if (t === undefined) throw new RangeError(`unknown series ref ${ref}`);
    return t;
  }

  get size(): number {
    return this.#refs.size;
  }
}

/** Length-prefixed, so no two different (tenant, label set) pairs share a key whatever the bytes. */
function seriesKey(tenant: Tenant, labels: Labels): string {
  let key = `${tenant.accountId}:${tenant.projectId}`;
  for (const l of labels) key += `|${l.name.length}:${l.name}${l.value.length}:${l.value}`;
  return key;
}
