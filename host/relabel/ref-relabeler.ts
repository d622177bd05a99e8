import { LimitExceededError } from '../errors.js';
import type { SampleBatch } from '../batch/sample-batch.js';
import type { Tenant } from '../batch/tenant.js';
import type { Labels } from '../series/labels.js';
import type { SeriesIndex } from '../series/series-index.js';
import type { RelabelEngine } from './engine.js';
import { growToFit, onIndexDelete } from './ref-keyed.js';

/** What one batch lost, by reason. */
export interface RewriteResult {
  /** The rewritten rows, or undefined when none is left. */
  batch: SampleBatch | undefined;
  /** Samples of series the rules dropped. */
  dropped: number;
  /** Samples of series the index refused (tenant over its series limit); retried on next sight. */
  refused: number;
}

// Cache cells: 0 = not seen yet, 1 = dropped by the rules, otherwise output ref + 2.
const UNKNOWN = 0;
const DROPPED = 1;
const OFFSET = 2;

/**
 * Relabels refs, caching the decision per input ref in a dense array: after the first sight of a
 * series, a sample costs one array read. Output refs come from the series index. When the index
 * deletes a ref, entries from it and entries pointing to it are forgotten, so a recycled ref is
 * never mapped with a stale result.
 */
export class RefRelabeler {
  readonly #series: SeriesIndex;
  readonly #engine: RelabelEngine;
  #cache = new Uint32Array(1024);
  /** Output refs this relabeler handed out, so deleting one can invalidate what points to it. */
  #isOutput = new Uint8Array(1024);
  #deletedOutputs = new Set<number>();
  readonly #unsubscribe: () => void;

  constructor(series: SeriesIndex, engine: RelabelEngine) {
    this.#series = series;
    this.#engine = engine;
    this.#unsubscribe = onIndexDelete(series, (ref) => this.forget(ref));
  }

  /** The output ref of `ref`, or -1 when the rules drop it. Throws what `resolve` throws. */
  map(tenant: Tenant, ref: number): number {
    this.#sweep();
    const cell = ref < this.#cache.length ? this.#cache[ref]! : UNKNOWN;
    const out = cell === UNKNOWN ? this.#miss(tenant, ref) : cell;
    return out === DROPPED ? -1 : out - OFFSET;
  }

  /**
   * A new batch with rewritten refs and the dropped rows removed; the input is not touched. When
   * every row is kept under its own ref (and so is every side row), the batch itself comes back,
   * wire form and all: its content is what a rewritten copy would hold.
   */
  rewrite(batch: SampleBatch): RewriteResult {
    this.#sweep();
    const n = batch.length;
    const inRefs = batch.refs;
    // Leading rows known to be their own output are taken as they are: in the steady state of
    // rules that change nothing this is every row, and the batch itself is the result.
    const cache = this.#cache;
    let start = 0;
    for (; start < n; start++) {
      const ref = inRefs[start]!;
      if (ref >= cache.length || cache[ref] !== ref + OFFSET) break;
    }
    if (start === n && n > 0 && !batch.side) return { batch, dropped: 0, refused: 0 };
    const refs = new Uint32Array(n);
    const keep = new Uint8Array(n);
    if (start > 0) {
      refs.set(inRefs.subarray(0, start));
      keep.fill(1, 0, start);
    }
    let kept = start;
    let dropped = 0;
    let refused = 0;
    for (let i = start; i < n; i++) {
      const ref = inRefs[i]!;
      let cell = ref < this.#cache.length ? this.#cache[ref]! : UNKNOWN;
      if (cell === UNKNOWN) {
        try {
          cell = this.#miss(batch.tenant, ref);
        } catch (err) {
          if (!(err instanceof LimitExceededError)) throw err;
          refused++;
          continue;
        }
      }
      if (cell === DROPPED) {
        dropped++;
        continue;
      }
      refs[i] = cell - OFFSET;
      keep[i] = 1;
      kept++;
    }
    const side = batch.side && rewriteSide(batch.side, (ref) => this.map(batch.tenant, ref));
    if (kept === 0 && !side) return { batch: undefined, dropped, refused };
    // Every row kept: the batch itself when no ref changed either. The search starts at the row
    // that stopped the loop above and goes past it only when that row's series was new to the
    // cache and turned out to be its own output.
    if (kept === n && side === batch.side && sameRefs(refs, inRefs, start, n)) return { batch, dropped, refused };
    return { batch: compact(batch, refs, keep, kept, side), dropped, refused };
  }

  /** Bytes the cache holds (it is dense by ref, so this grows with the highest ref seen). */
  get cacheBytes(): number {
    return this.#cache.byteLength + this.#isOutput.byteLength;
  }

  /** Forgets a ref the index deleted (also called by the index's onDelete hook). */
  forget(ref: number): void {
    if (ref < this.#cache.length) this.#cache[ref] = UNKNOWN;
    if (ref < this.#isOutput.length && this.#isOutput[ref]) {
      this.#isOutput[ref] = 0;
      this.#deletedOutputs.add(ref);
    }
  }

  /** Drops every cached decision, e.g. after the rules changed. */
  clear(): void {
    this.#cache.fill(UNKNOWN);
    this.#isOutput.fill(0);
    this.#deletedOutputs.clear();
  }

  close(): void {
    this.#unsubscribe();
  }

  #miss(tenant: Tenant, ref: number): number {
    const input = this.#series.labels(ref);
    const labels = this.#engine.relabel(input);
    let cell = DROPPED;
    if (labels !== undefined) {
      // A series the rules left alone is its own output: no second trip through the index.
      const out = sameLabels(input, labels) ? ref : this.#series.resolve(tenant, labels);
      cell = out + OFFSET;
      this.#isOutput = growToFit(this.#isOutput, out);
      this.#isOutput[out] = 1;
    }
    this.#cache = growToFit(this.#cache, ref);
    this.#cache[ref] = cell;
    return cell;
  }

  /** Deleted output refs are rare and come in bursts (index GC): one pass clears them all. */
  #sweep(): void {
    if (this.#deletedOutputs.size === 0) return;
    const dead = this.#deletedOutputs;
    const cache = this.#cache;
    for (let i = 0; i < cache.length; i++) {
      const c = cache[i]!;
      if (c >= OFFSET && dead.has(c - OFFSET)) cache[i] = UNKNOWN;
    }
    dead.clear();
  }
}

function sameLabels(a: Labels, b: Labels): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.name !== b[i]!.name || a[i]!.value !== b[i]!.value) return false;
  return true;
}

function sameRefs(a: Uint32Array, b: Uint32Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (a[i] !== b[i]) return false;
  return true;
}

function compact(batch: SampleBatch, refs: Uint32Array, keep: Uint8Array, kept: number, side: SampleBatch['side']): SampleBatch {
  const n = batch.length;
  if (kept === n) {
    return { tenant: batch.tenant, length: n, refs, ts: batch.ts.slice(0, n), values: batch.values.slice(0, n), ...(side ? { side } : {}) };
  }
  const outRefs = new Uint32Array(kept);
  const ts = new Float64Array(kept);
  const values = new Float64Array(kept);
  let j = 0;
  for (let i = 0; i < n; i++) {
    if (!keep[i]) continue;
    outRefs[j] = refs[i]!;
    ts[j] = batch.ts[i]!;
    values[j] = batch.values[i]!;
    j++;
  }
  return { tenant: batch.tenant, length: kept, refs: outRefs, ts, values, ...(side ? { side } : {}) };
}

/** Exemplars and histograms follow their series: rewritten, or dropped with it. `side` itself when none changes. */
function rewriteSide(side: NonNullable<SampleBatch['side']>, mapRef: (ref: number) => number): SampleBatch['side'] {
  const safeMap = (ref: number) => {
    try {
      return mapRef(ref);
    } catch (err) {
      if (err instanceof LimitExceededError) return -1;
      throw err;
    }
  };
  const exemplars = side.exemplars && remapRows(side.exemplars, safeMap);
  const histograms = side.histograms && remapRows(side.histograms, safeMap);
  if (exemplars === side.exemplars && histograms === side.histograms) return side;
  const out: NonNullable<SampleBatch['side']> = {};
  if (exemplars) out.exemplars = exemplars;
  if (histograms) out.histograms = histograms;
  if (side.metadata) out.metadata = side.metadata;
  return out;
}

/** Rows with their refs mapped (those mapped to -1 left out), or `rows` itself when no ref changes. */
function remapRows<T extends { ref: number }>(rows: T[], mapRef: (ref: number) => number): T[] {
  const refs = rows.map((r) => mapRef(r.ref));
  if (refs.every((ref, i) => ref === rows[i]!.ref)) return rows;
  return rows.flatMap((r, i) => (refs[i]! < 0 ? [] : [{ ...r, ref: refs[i]! }]));
}
