/**
 * The latest sample of every series, in parallel typed arrays indexed by a slot, with a Map from
 * series ref to slot and a free list: no object per series, and memory bounded by `maxSeries`.
 */
export class LatestValues {
  readonly #maxSeries: number;
  #slotOf = new Map<number, number>();
  #refs = new Uint32Array(1024);
  #ts = new Float64Array(1024);
  #values = new Float64Array(1024);
  #valueWords = new Uint32Array(this.#values.buffer);
  /** When the series was last updated, by the host clock: what staleness is measured against. */
  #seenAt = new Float64Array(1024);
  #free: number[] = [];
  #used = 0;

  constructor(maxSeries: number) {
    this.#maxSeries = maxSeries;
  }

  get size(): number {
    return this.#slotOf.size;
  }

  /**
   * Records a sample unless an equal or newer one is already held. False when the series is new
   * and the bound is reached (the caller counts it).
   */
  set(ref: number, ts: number, valueWords: Uint32Array, row: number, now: number): boolean {
    let slot = this.#slotOf.get(ref);
    if (slot === undefined) {
      if (this.#slotOf.size >= this.#maxSeries) return false;
      slot = this.#free.pop() ?? this.#grow();
      this.#slotOf.set(ref, slot);
      this.#refs[slot] = ref;
    } else if (ts < this.#ts[slot]!) {
      return true;
    }
    this.#ts[slot] = ts;
    // Copied as two 32-bit words: a NaN payload survives untouched, and no view is made per sample.
    this.#valueWords[2 * slot] = valueWords[2 * row]!;
    this.#valueWords[2 * slot + 1] = valueWords[2 * row + 1]!;
    this.#seenAt[slot] = now;
    return true;
  }

  delete(ref: number): void {
    const slot = this.#slotOf.get(ref);
    if (slot === undefined) return;
    this.#slotOf.delete(ref);
    this.#free.push(slot);
  }

  /** Drops series not updated since `cutoff`; returns how many. */
  expire(cutoff: number): number {
    let n = 0;
    for (const [ref, slot] of this.#slotOf) {
      if (this.#seenAt[slot]! < cutoff) {
        this.#slotOf.delete(ref);
        this.#free.push(slot);
        n++;
      }
    }
    return n;
  }

  /** Calls `fn` for every held series. */
  forEach(fn: (ref: number, ts: number, value: number) => void): void {
    for (const slot of this.#slotOf.values()) fn(this.#refs[slot]!, this.#ts[slot]!, this.#values[slot]!);
  }

  #grow(): number {
    if (this.#used === this.#refs.length) {
      const cap = this.#refs.length * 2;
      this.#refs = grown(this.#refs, new Uint32Array(cap));
      this.#ts = grown(this.#ts, new Float64Array(cap));
      this.#values = grown(this.#values, new Float64Array(cap));
      this.#valueWords = new Uint32Array(this.#values.buffer);
      this.#seenAt = grown(this.#seenAt, new Float64Array(cap));
    }
    return this.#used++;
  }
}

function grown<T extends Uint32Array | Float64Array>(old: T, fresh: T): T {
  fresh.set(old as never);
  return fresh;
}
