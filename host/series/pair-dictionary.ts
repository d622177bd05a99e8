import { P_BYTES, P_LEN, P_LIVE, P_TENANT, RETIRED, type SeriesKernel } from './series-kernel.js';
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
  #tracked = 0;
  #prunedAt = 0;
  readonly #tenants = new Map<number, Map<string, NameEntry>>();

  constructor(k: SeriesKernel) {
    this.#k = k;
  }

  #sync(): void {
    const x = this.#k.exports;
    const retired = x.pairs_retired();
    if (retired - this.#prunedAt >= Math.max(256, this.#tracked >> 3)) this.#prune(retired);
    const end = x.pair_count();
    if (this.#synced >= end) return;
    const { u8, u32 } = this.#k.views();
    for (let id = this.#synced; id < end; id++) {
      const rec = x.pair_record(id) >>> 2;
      if (rec === 0 || u32[rec + P_LEN] === 0) continue;
      this.#tracked++;
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

  /** Drops the strings of retired pairs, so this side shrinks with the kernel's dictionary. */
  #prune(retired: number): void {
    const x = this.#k.exports;
    const u32 = this.#k.views().u32;
    const isRetired = (id: number) => u32[(x.pair_record(id) >>> 2) + P_BYTES] === RETIRED;
    this.#tracked = 0;
    for (const names of this.#tenants.values()) {
      for (const [name, e] of names) {
        const keep = e.ids.map((id, i) => (isRetired(id) ? -1 : i)).filter((i) => i >= 0);
        if (keep.length === 0) {
          names.delete(name);
          continue;
        }
        names.set(name, { ids: keep.map((i) => e.ids[i]!), values: keep.map((i) => e.values[i]!) });
        this.#tracked += keep.length;
      }
    }
    this.#prunedAt = retired;
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
