import type { AggregateState, GroupAggregator } from './group-aggregator.js';

/** The plain TypeScript GroupAggregator the kernel is tested and benchmarked against. */
export class ReferenceGroupAggregator implements GroupAggregator {
  readonly implementation = 'typescript';
  #s: AggregateState = emptyState(0);

  ensureGroups(groups: number): void {
    const cap = this.#s.sum.length;
    if (groups <= cap) return;
    let next = Math.max(1024, cap);
    while (next < groups) next *= 2;
    const s = emptyState(next);
    for (const k of Object.keys(s) as (keyof AggregateState)[]) s[k].set(this.#s[k]);
    this.#s = s;
    this.reset(cap, next);
  }

  update(groups: Uint32Array, values: Float64Array, ts: Float64Array, n: number): number {
    const { sum, count, min, max, last, lastTs } = this.#s;
    let skipped = 0;
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      if (Number.isNaN(v)) {
        skipped++;
        continue;
      }
      const g = groups[i]!;
      if (g >= sum.length) throw new RangeError(`group id ${g} out of range`);
      sum[g]! += v;
      count[g]! += 1;
      if (v < min[g]!) min[g] = v;
      if (v > max[g]!) max[g] = v;
      const t = ts[i]!;
      if (t > lastTs[g]! || (t === lastTs[g] && v > last[g]!)) {
        lastTs[g] = t;
        last[g] = v;
      }
    }
    return skipped;
  }

  reset(from: number, to: number): void {
    const s = this.#s;
    to = Math.min(to, s.sum.length);
    s.sum.fill(0, from, to);
    s.count.fill(0, from, to);
    s.min.fill(Infinity, from, to);
    s.max.fill(-Infinity, from, to);
    s.last.fill(NaN, from, to);
    s.lastTs.fill(-Infinity, from, to);
  }

  state(): AggregateState {
    return this.#s;
  }
}

function emptyState(n: number): AggregateState {
  return {
    sum: new Float64Array(n),
    count: new Float64Array(n),
    min: new Float64Array(n),
    max: new Float64Array(n),
    last: new Float64Array(n),
    lastTs: new Float64Array(n),
  };
}
