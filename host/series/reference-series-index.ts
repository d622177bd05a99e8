import type { Tenant } from '../batch/tenant.js';
import { BadInputError } from '../errors.js';
import { METRIC_NAME, type Labels } from './labels.js';
import { compileMatcher, matchesAll, type Matcher } from './matcher.js';
import { SeriesIndexBase, type SeriesIndexOptions } from './series-index-base.js';
import { decodeSeriesKey, encodeSeriesKey } from './series-key.js';
import { makeTsid, type Tsid } from './tsid.js';

interface Series {
  labels: Labels;
  key: Uint8Array;
  tenantId: number;
  metricId: number;
  nameId: number;
  jobId: number;
  instanceId: number;
  pairs: number[];
}

interface Pair {
  tenantId: number;
  name: string;
  value: string;
  live: number;
}

/**
 * The plain TypeScript series index: keys decoded to strings, looked up in a Map; matchers
 * evaluated by testing every series of the tenant. It is the yardstick the kernel is measured
 * against and the oracle of the parity tests, so it mirrors the kernel's observable choices:
 * ref allocation and reuse order, pair ids (tenant pair first, then labels in key order),
 * metric ids and when deleted refs are purged.
 * Unlike the kernel it keys on decoded strings, so two invalid UTF-8 keys may meet here.
 */
export class ReferenceSeriesIndex extends SeriesIndexBase {
  readonly implementation = 'reference';
  #refs = new Map<string, number>();
  #series: (Series | undefined)[] = [];
  #pairIds = new Map<string, number>();
  #pairs: (Pair | undefined)[] = [undefined];
  #nextPair = 1;
  #nextMetricId = 1;
  #free: number[] = [];
  #pending: number[] = [];
  /** Pairs that lost a series since the last purge; those left with none are retired then. */
  #touched = new Set<number>();
  #live = 0;
  #scratch = new Uint8Array(65536);

  constructor(opts: SeriesIndexOptions = {}) {
    super(opts);
  }

  resolve(tenant: Tenant, labels: Labels): number {
    const tid = this.tenantId(tenant);
    const k = seriesKeyString(tid, labels);
    const ref = this.#refs.get(k);
    if (ref !== undefined) return ref;
    this.admit(tid, () => labels);
    return this.#insert(tid, k, labels, encodeSeriesKey(labels), 0, -1);
  }

  resolveKey(tenant: Tenant, key: Uint8Array, length: number): number {
    let labels: Labels;
    try {
      labels = decodeSeriesKey(key, 0, length);
    } catch (err) {
      throw new BadInputError(`malformed series key: ${(err as Error).message}`, err);
    }
    return this.resolve(tenant, labels);
  }

  scratch(minBytes: number): Uint8Array {
    if (this.#scratch.length < minBytes) this.#scratch = new Uint8Array(minBytes);
    return this.#scratch;
  }

  resolveScratch(tenant: Tenant, length: number): number {
    return this.resolveKey(tenant, this.#scratch, length);
  }

  resolveScratchBatch(tenant: Tenant, offsets: Uint32Array, count: number, out: Uint32Array, checkNew?: (i: number) => void): void {
    if (checkNew) {
      const tid = this.tenantId(tenant);
      for (let i = 0; i < count; i++) {
        let known = false;
        try {
          known = this.#refs.has(seriesKeyString(tid, decodeSeriesKey(this.#scratch, offsets[i]!, offsets[i + 1]!)));
        } catch {
          // A malformed key is new by definition; checkNew says what is wrong with it.
        }
        if (!known) checkNew(i);
      }
    }
    for (let i = 0; i < count; i++) {
      const start = offsets[i]!;
      const end = offsets[i + 1]!;
      out[i] = this.resolveKey(tenant, start === 0 ? this.#scratch : this.#scratch.subarray(start), end - start);
    }
  }

  #insert(tid: number, k: string, labels: Labels, key: Uint8Array, metricId: number, atRef: number): number {
    let ref = atRef;
    if (ref < 0) {
      if (this.#free.length === 0 && this.#pending.length >= this.purgeThreshold) this.purge();
      ref = this.#free.length > 0 ? this.#free.pop()! : this.#series.length;
      metricId = this.#nextMetricId++;
    }
    const s: Series = { labels, key, tenantId: tid, metricId, nameId: 0, jobId: 0, instanceId: 0, pairs: [this.#intern(tid, '', '', true)] };
    for (const l of labels) {
      const id = this.#intern(tid, l.name, l.value, false);
      s.pairs.push(id);
      if (l.name === METRIC_NAME) s.nameId = id;
      else if (l.name === 'job') s.jobId = id;
      else if (l.name === 'instance') s.instanceId = id;
    }
    for (const id of s.pairs) this.#pairs[id]!.live++;
    while (this.#series.length < ref) this.#series.push(undefined);
    this.#series[ref] = s;
    this.#refs.set(k, ref);
    this.#live++;
    if (atRef < 0) this.cardinalityTracker.created(tid);
    return ref;
  }

  #intern(tid: number, name: string, value: string, tenantPair: boolean, id = 0): number {
    const k = pairKey(tid, name, value, tenantPair);
    const found = this.#pairIds.get(k);
    if (found !== undefined) return found;
    if (id === 0) id = this.#nextPair;
    this.#nextPair = Math.max(this.#nextPair, id + 1);
    this.#pairIds.set(k, id);
    this.#pairs[id] = { tenantId: tid, name, value, live: 0 };
    return id;
  }

  #get(ref: number): Series {
    const s = this.#series[ref];
    if (s === undefined) throw new RangeError(`unknown series ref ${ref}`);
    return s;
  }

  labels(ref: number): Labels {
    return this.#get(ref).labels;
  }

  key(ref: number): Uint8Array {
    return this.#get(ref).key.slice();
  }

  tsid(ref: number): Tsid {
    const s = this.#get(ref);
    return makeTsid(this.tenants[s.tenantId]!, s.nameId, s.jobId, s.instanceId, s.metricId);
  }

  has(ref: number): boolean {
    return this.#series[ref] !== undefined;
  }

  get size(): number {
    return this.#live;
  }

  protected tenantIdOf(ref: number): number {
    return this.#get(ref).tenantId;
  }

  protected removeOne(ref: number): boolean {
    const s = this.#series[ref];
    if (s === undefined) return false;
    this.#series[ref] = undefined;
    this.#refs.delete(seriesKeyString(s.tenantId, s.labels));
    for (const id of s.pairs) {
      this.#pairs[id]!.live--;
      this.#touched.add(id);
    }
    this.#pending.push(ref);
    this.#live--;
    return true;
  }

  /** As the kernel: freed refs become reusable, pairs without series are retired (ids not reused). */
  protected purge(): void {
    this.#free.push(...this.#pending);
    this.#pending = [];
    for (const id of this.#touched) {
      const p = this.#pairs[id]!;
      if (p.live > 0) continue;
      this.#pairIds.delete(pairKey(p.tenantId, p.name, p.value, p.name === ''));
      this.#pairs[id] = undefined;
    }
    this.#touched.clear();
  }

  protected activeSeriesOf(tid: number): number {
    return this.#pairs[this.#pairIds.get(pairKey(tid, '', '', true)) ?? 0]?.live ?? 0;
  }

  protected activeForMetric(tid: number, name: string): number {
    return this.#pairs[this.#pairIds.get(pairKey(tid, METRIC_NAME, name, false)) ?? 0]?.live ?? 0;
  }

  protected liveNames(tid: number): string[] {
    const names = new Set<string>();
    for (const p of this.#pairs) if (p && p.tenantId === tid && p.live > 0 && p.name !== '') names.add(p.name);
    return [...names];
  }

  protected liveValues(tid: number, name: string): string[] {
    const out: string[] = [];
    for (const p of this.#pairs) if (p && p.tenantId === tid && p.live > 0 && p.name === name && name !== '') out.push(p.value);
    return out;
  }

  protected selectIn(tid: number, matchers: readonly Matcher[]): Uint32Array {
    const compiled = matchers.map(compileMatcher);
    const out: number[] = [];
    this.#series.forEach((s, ref) => {
      if (s && s.tenantId === tid && matchesAll(compiled, (n) => s.labels.find((l) => l.name === n)?.value)) out.push(ref);
    });
    return Uint32Array.from(out);
  }

  protected image() {
    const pairs = this.#pairs;
    const series = this.#series;
    return {
      refLimit: series.length,
      nextPair: this.#nextPair,
      nextMetricId: this.#nextMetricId,
      free: this.#free,
      pairs(emit: (id: number, tenantId: number, bytes: Uint8Array) => void) {
        pairs.forEach((p, id) => {
          if (p && p.live > 0) emit(id, p.tenantId, p.name === '' ? new Uint8Array(0) : encodeSeriesKey([{ name: p.name, value: p.value }]));
        });
      },
      series(emit: (ref: number, tenantId: number, metricId: number, key: Uint8Array) => void) {
        series.forEach((s, ref) => s && emit(ref, s.tenantId, s.metricId, s.key));
      },
    };
  }

  protected restorer() {
    return {
      pair: (id: number, tid: number, bytes: Uint8Array) => {
        if (bytes.length === 0) return void this.#intern(tid, '', '', true, id);
        const [l] = decodeSeriesKey(bytes);
        this.#intern(tid, l!.name, l!.value, false, id);
      },
      series: (ref: number, tid: number, metricId: number, key: Uint8Array) => {
        const labels = decodeSeriesKey(key);
        this.#insert(tid, seriesKeyString(tid, labels), labels, key.slice(), metricId, ref);
      },
      free: (ref: number) => void this.#free.push(ref),
      counters: (refLimit: number, nextPair: number, nextMetricId: number) => {
        while (this.#series.length < refLimit) this.#series.push(undefined);
        this.#nextPair = nextPair;
        this.#nextMetricId = nextMetricId;
      },
    };
  }
}

/** The map key of a label pair; the tenant pair (every series of the tenant) has no label. */
function pairKey(tid: number, name: string, value: string, tenantPair: boolean): string {
  return tenantPair ? `${tid}|` : `${tid}|${name.length}:${name}=${value}`;
}

/** Length-prefixed, so no two different (tenant, label set) pairs share a key whatever the strings. */
function seriesKeyString(tid: number, labels: Labels): string {
  let key = `${tid}`;
  for (const l of labels) key += `|${l.name.length}:${l.name}${l.value.length}:${l.value}`;
  return key;
}
