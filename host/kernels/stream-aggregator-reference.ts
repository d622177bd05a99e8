import {
  FEATURE_COUNTERS, FEATURE_DEDUP, FEATURE_HISTOGRAM, FEATURE_QUANTILES, FEATURE_RATE, FEATURE_SERIES, FEATURE_VARIANCE,
  GROUP_FIELDS, LATE_ROW, NO_MATCH, STAT_APPLIED, STAT_COUNT, STAT_DUPLICATE, STAT_FUTURE, STAT_LATE, STAT_NAN,
  STAT_OLD, STAT_OUT_OF_ORDER, STAT_RESETS,
  type GroupState, type SlotState, type StreamAggregator, type WindowParams,
} from './stream-aggregator.js';

/**
 * The plain TypeScript StreamAggregator the kernel is tested and benchmarked against. It is written
 * for clarity, step for step what asm/aggregate does, including the reservoir's random sequence.
 */
export class ReferenceStreamAggregator implements StreamAggregator {
  readonly implementation = 'typescript';
  #flags = 0;
  #w: WindowParams = { eventTime: false, intervalMs: 60_000, rings: 1, oldestWindow: 0, newestWindow: 0, minTs: -Infinity, ignoreFirstSample: false };
  #refs = new Uint32Array(0);
  #slots: SlotState = { group: new Uint32Array(0), lastTs: new Float64Array(0) };
  #groups = groupState(0);
  #reservoirs: number[][] = [];
  #hists: (Float64Array | undefined)[] = [];
  #bounds = new Float64Array(0);
  #reservoirMax = 1000;
  #rng = 0x9e3779b9;
  #stats = new Float64Array(STAT_COUNT);

  configure(flags: number): void {
    this.#flags = flags;
  }

  setWindow(p: WindowParams): void {
    this.#w = { ...p, rings: Math.max(1, p.rings) };
  }

  setReservoirMax(n: number): void {
    this.#reservoirMax = Math.max(1, n);
  }

  setHistogramBounds(bounds: Float64Array): void {
    this.#bounds = bounds.slice();
  }

  ensureRefs(refs: number): void {
    if (refs <= this.#refs.length) return;
    const next = new Uint32Array(grow(this.#refs.length, refs, 4096));
    next.set(this.#refs);
    this.#refs = next;
  }

  ensureSlots(slots: number): void {
    const old = this.#slots.group.length;
    if (slots <= old) return;
    const cap = grow(old, slots, 1024);
    const f = this.#flags;
    const s = this.#slots;
    const u = (a: Uint32Array | undefined, on: boolean) => (on ? copyInto(new Uint32Array(cap), a) : undefined);
    const d = (a: Float64Array | undefined, on: boolean) => (on ? copyInto(new Float64Array(cap), a) : undefined);
    this.#slots = stripUndefined({
      group: u(s.group, true)!,
      lastTs: d(s.lastTs, true)!,
      lastV: d(s.lastV, (f & FEATURE_COUNTERS) !== 0),
      seen: u(s.seen, (f & FEATURE_SERIES) !== 0),
      rateDelta: d(s.rateDelta, (f & FEATURE_RATE) !== 0),
      rateStart: d(s.rateStart, (f & FEATURE_RATE) !== 0),
      rateRing: u(s.rateRing, (f & FEATURE_RATE) !== 0),
      dedupV: d(s.dedupV, (f & FEATURE_DEDUP) !== 0),
      dedupTs: d(s.dedupTs, (f & FEATURE_DEDUP) !== 0),
    });
    this.clearSlots(old, cap);
  }

  ensureGroups(groups: number): void {
    const old = this.#groups.sum.length;
    if (groups <= old) return;
    const next = groupState(grow(old, groups, 1024));
    for (const k of GROUP_FIELDS) next[k].set(this.#groups[k]);
    this.#groups = next;
    this.resetGroups(old, next.sum.length);
  }

  refTable(): Uint32Array {
    return this.#refs;
  }

  slots(): SlotState {
    return this.#slots;
  }

  groups(): GroupState {
    return this.#groups;
  }

  update(refs: Uint32Array, values: Float64Array, ts: Float64Array, n: number, out: Uint32Array): number {
    let written = 0;
    const dedup = (this.#flags & FEATURE_DEDUP) !== 0;
    for (let i = 0; i < n; i++) {
      const ref = refs[i]!;
      const s1 = ref < this.#refs.length ? this.#refs[ref]! : 0;
      if (s1 === NO_MATCH) continue;
      if (s1 === 0) {
        out[written++] = i;
        continue;
      }
      const v = values[i]!;
      const t = ts[i]!;
      if (dedup) {
        if (this.#w.eventTime && this.#ring(t) === -1) {
          this.#stats[STAT_LATE]! += 1;
          out[written++] = (i | LATE_ROW) >>> 0;
        } else this.#dedupPut(s1 - 1, v, t);
      } else if (!this.#apply(s1 - 1, v, t)) out[written++] = (i | LATE_ROW) >>> 0;
    }
    return written;
  }

  dedupFlush(slots: number): void {
    const s = this.#slots;
    if (!s.dedupTs || !s.dedupV) return;
    for (let i = 0; i < Math.min(slots, s.group.length); i++) {
      const t = s.dedupTs[i]!;
      if (Number.isNaN(t)) continue;
      this.#apply(i, s.dedupV[i]!, t);
      s.dedupTs[i] = NaN;
    }
  }

  closeWindow(ring: number, slots: number): void {
    const s = this.#slots;
    const n = Math.min(slots, s.group.length);
    if (s.rateRing) for (let i = 0; i < n; i++) if (s.rateRing[i] === ring) this.#foldRate(i);
    if (s.seen) for (let i = 0; i < n; i++) s.seen[i] = (s.seen[i]! & ~(1 << ring)) >>> 0;
  }

  resetGroups(from: number, to: number): void {
    const g = this.#groups;
    to = Math.min(to, g.sum.length);
    if (from >= to) return;
    for (const k of GROUP_FIELDS) g[k].fill(0, from, to);
    g.min.fill(Infinity, from, to);
    g.max.fill(-Infinity, from, to);
    g.last.fill(NaN, from, to);
    g.lastTs.fill(-Infinity, from, to);
    for (let i = from; i < to; i++) {
      this.#reservoirs[i] = [];
      this.#hists[i]?.fill(0);
    }
  }

  clearSlots(from: number, to: number): void {
    const s = this.#slots;
    to = Math.min(to, s.group.length);
    s.group.fill(0, from, to);
    s.lastTs.fill(NaN, from, to);
    s.lastV?.fill(0, from, to);
    s.seen?.fill(0, from, to);
    s.rateDelta?.fill(0, from, to);
    s.rateStart?.fill(NaN, from, to);
    s.rateRing?.fill(0, from, to);
    s.dedupV?.fill(0, from, to);
    s.dedupTs?.fill(NaN, from, to);
  }

  reservoir(g: number): Float64Array {
    return Float64Array.from(this.#reservoirs[g] ?? []);
  }

  quantile(g: number, phi: number): number {
    const sorted = Float64Array.from(this.#reservoirs[g] ?? []).sort();
    const n = sorted.length;
    if (n === 0) return NaN;
    return sorted[phi <= 0 ? 0 : phi >= 1 ? n - 1 : Math.min(n - 1, Math.floor(phi * (n - 1) + 0.5))]!;
  }

  histogram(g: number): Float64Array | undefined {
    return this.#hists[g]?.slice();
  }

  restoreReservoir(g: number, values: Float64Array, seen: number): void {
    this.#reservoirs[g] = Array.from(values);
    this.#groups.qSeen[g] = seen;
  }

  restoreHistogram(g: number, counts: Float64Array): void {
    const h = (this.#hists[g] ??= new Float64Array(this.#bounds.length + 1));
    for (let i = 0; i < Math.min(h.length, counts.length); i++) h[i]! += counts[i]!;
  }

  takeStats(): Float64Array {
    const copy = this.#stats.slice();
    this.#stats.fill(0);
    return copy;
  }

  #ring(t: number): number {
    const w = this.#w;
    if (!w.eventTime) return 0;
    const win = Math.floor(t / w.intervalMs);
    if (win < w.oldestWindow) return -1;
    if (win > w.newestWindow) return -2;
    return win % w.rings;
  }

  #apply(s: number, v: number, t: number): boolean {
    const st = this.#stats;
    if (Number.isNaN(v)) {
      st[STAT_NAN]! += 1;
      return true;
    }
    if (t < this.#w.minTs) {
      st[STAT_OLD]! += 1;
      return true;
    }
    const ring = this.#ring(t);
    if (ring < 0) {
      st[ring === -1 ? STAT_LATE : STAT_FUTURE]! += 1;
      return ring !== -1;
    }
    st[STAT_APPLIED]! += 1;
    const slots = this.#slots;
    const g = slots.group[s]! * this.#w.rings + ring;
    const G = this.#groups;
    const c = G.count[g]! + 1;
    G.count[g] = c;
    G.sum[g]! += v;
    if (v < G.min[g]!) G.min[g] = v;
    if (v > G.max[g]!) G.max[g] = v;
    if (t > G.lastTs[g]! || (t === G.lastTs[g] && v > G.last[g]!)) {
      G.lastTs[g] = t;
      G.last[g] = v;
    }
    if ((this.#flags & FEATURE_VARIANCE) !== 0) {
      const mean = G.mean[g]!;
      const delta = v - mean;
      const next = mean + delta / c;
      G.mean[g] = next;
      G.m2[g]! += delta * (v - next);
    }
    if (slots.seen) {
      const bit = 1 << ring;
      if ((slots.seen[s]! & bit) === 0) {
        slots.seen[s] = (slots.seen[s]! | bit) >>> 0;
        G.seriesN[g]! += 1;
      }
    }
    if (slots.lastV) this.#foldCounter(s, g, ring, v, t);
    else if (!(slots.lastTs[s]! >= t)) slots.lastTs[s] = t;
    if ((this.#flags & FEATURE_QUANTILES) !== 0) this.#reservoirAdd(g, v);
    if ((this.#flags & FEATURE_HISTOGRAM) !== 0) this.#histogramAdd(g, v);
    return true;
  }

  #foldCounter(s: number, g: number, ring: number, v: number, t: number): void {
    const slots = this.#slots;
    const G = this.#groups;
    const prevTs = slots.lastTs[s]!;
    if (Number.isNaN(prevTs)) {
      if (!this.#w.ignoreFirstSample) G.incAll[g]! += v;
    } else {
      const last = slots.lastV![s]!;
      if (t < prevTs || (t === prevTs && v <= last)) {
        this.#stats[t < prevTs ? STAT_OUT_OF_ORDER : STAT_DUPLICATE]! += 1;
        return;
      }
      let d = v - last;
      if (d < 0) {
        d = v;
        this.#stats[STAT_RESETS]! += 1;
      }
      G.incAll[g]! += d;
      G.incProm[g]! += d;
      if (slots.rateStart) {
        if (slots.rateRing![s] !== ring) this.#foldRate(s);
        if (Number.isNaN(slots.rateStart[s])) {
          slots.rateStart[s] = prevTs;
          slots.rateRing![s] = ring;
        }
        slots.rateDelta![s]! += d;
      }
    }
    slots.lastV![s] = v;
    slots.lastTs[s] = t;
  }

  #foldRate(s: number): void {
    const slots = this.#slots;
    const start = slots.rateStart![s]!;
    if (Number.isNaN(start)) return;
    const span = slots.lastTs[s]! - start;
    if (span > 0) {
      const g = slots.group[s]! * this.#w.rings + slots.rateRing![s]!;
      this.#groups.rateSum[g]! += slots.rateDelta![s]! / (span / 1000);
      this.#groups.rateN[g]! += 1;
    }
    slots.rateStart![s] = NaN;
    slots.rateDelta![s] = 0;
  }

  #dedupPut(s: number, v: number, t: number): void {
    const slots = this.#slots;
    const heldTs = slots.dedupTs![s]!;
    if (!Number.isNaN(heldTs)) {
      if (t < heldTs) return;
      if (t === heldTs) {
        const held = slots.dedupV![s]!;
        if (Number.isNaN(v) || (!Number.isNaN(held) && v <= held)) return;
      }
    }
    slots.dedupTs![s] = t;
    slots.dedupV![s] = v;
  }

  #reservoirAdd(g: number, v: number): void {
    const seen = this.#groups.qSeen[g]! + 1;
    this.#groups.qSeen[g] = seen;
    const r = (this.#reservoirs[g] ??= []);
    if (r.length < this.#reservoirMax) {
      r.push(v);
      return;
    }
    let x = this.#rng;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    this.#rng = x;
    const victim = x % seen;
    if (victim < this.#reservoirMax) r[victim] = v;
  }

  #histogramAdd(g: number, v: number): void {
    if (v < 0 || this.#bounds.length === 0) return;
    const h = (this.#hists[g] ??= new Float64Array(this.#bounds.length + 1));
    let lo = 0;
    let hi = this.#bounds.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#bounds[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    h[lo]! += 1;
  }
}

function grow(cap: number, need: number, min: number): number {
  let next = Math.max(min, cap);
  while (next < need) next *= 2;
  return next;
}

function copyInto<T extends Uint32Array | Float64Array>(target: T, source: T | undefined): T {
  if (source) target.set(source as never);
  return target;
}

function groupState(n: number): GroupState {
  const s = {} as GroupState;
  for (const k of GROUP_FIELDS) s[k] = new Float64Array(n);
  return s;
}

function stripUndefined(s: Record<string, unknown>): SlotState {
  for (const k of Object.keys(s)) if (s[k] === undefined) delete s[k];
  return s as unknown as SlotState;
}
