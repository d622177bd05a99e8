import { P_BYTES, P_LEN, P_LIVE, P_TENANT, type SeriesKernel } from './series-kernel.js';
import { decodeSeriesKey } from './series-key.js';

/** The values one label name has in one tenant, with the kernel pair id of each. */
export interface NameEntry {
  readonly ids: number[];
  readonly values: string[];
}

/**
 * The kernel's label pairs as strings, for matcher evaluation and the label APIs. The kernel never
 * makes strings; this side decodes each pair once, lazily, the first time a query runs after the
 * pair appeared (pair ids only grow, so catching up is a scan of the new ids).
 */
export class PairDictionary {
  readonly #k: SeriesKernel;
  #synced = 1;
  readonly #tenants = new Map<number, Map<string, NameEntry>>();

  constructor(k: SeriesKernel) {
    this.#k = k;
  }

  #sync(): void {
    const x = this.#k.exports;
    const end = x.pair_count();
    if (this.#synced >= end) return;
    const { u8, u32 } = this.#k.views();
    for (let id = this.#synced; id < end; id++) {
      const rec = x.pair_record(id) >>> 2;
      if (rec === 0 || u32[rec + P_LEN] === 0) continue;
      const start = u32[rec + P_BYTES]!;
      const [label] = decodeSeriesKey(u8, start, start + u32[rec + P_LEN]!);
      const tid = u32[rec + P_TENANT]!;
      let names = this.#tenants.get(tid);
      if (!names) this.#tenants.set(tid, (names = new Map()));
      let entry = names.get(label!.name);
      if (!entry) names.set(label!.name, (entry = { ids: [], values: [] }));
      entry.ids.push(id);
      entry.values.push(label!.value);
    }
    this.#synced = end;
  }

  /** Live series carrying pair `id`. */
  live(id: number): number {
    const rec = this.#k.exports.pair_record(id) >>> 2;
    return rec === 0 ? 0 : this.#k.views().u32[rec + P_LIVE]!;
  }

  /** All values a name has had in a tenant (some may have no live series left). */
  name(tenantId: number, name: string): NameEntry | undefined {
    this.#sync();
    return this.#tenants.get(tenantId)?.get(name);
  }

  /** Names with at least one live series. */
  liveNames(tenantId: number): string[] {
    this.#sync();
    const out: string[] = [];
    for (const [name, e] of this.#tenants.get(tenantId) ?? []) if (e.ids.some((id) => this.live(id) > 0)) out.push(name);
    return out;
  }

  liveValues(tenantId: number, name: string): string[] {
    const e = this.name(tenantId, name);
    if (!e) return [];
    return e.values.filter((_, i) => this.live(e.ids[i]!) > 0);
  }
}
