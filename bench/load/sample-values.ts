import type { GeneratedSeries } from './series-shapes.js';
import { seededRandom } from './random.js';

/**
 * Produces each series' value scrape after scrape: counters grow by a random amount and, rarely,
 * reset to a small value (a restarted pod), as they do in production; gauges wander; a histogram's
 * buckets, _sum and _count grow together and reset together, so buckets stay cumulative.
 */
export class SampleValues {
  readonly #series: readonly GeneratedSeries[];
  readonly #rand: () => number;
  readonly #resetProbability: number;
  readonly #values: Float64Array;
  /** Per histogram group: total observations and their sum, which the group's series derive from. */
  readonly #groupCount: Float64Array;
  readonly #groupSum: Float64Array;
  #resets = 0;

  /** `resetProbability` is the chance per scrape that a counter (or a histogram) restarts. */
  constructor(series: readonly GeneratedSeries[], opts: { seed?: number; resetProbability?: number } = {}) {
    this.#series = series;
    this.#rand = seededRandom(opts.seed ?? 7);
    this.#resetProbability = opts.resetProbability ?? 0.002;
    this.#values = new Float64Array(series.length);
    const groups = series.reduce((m, s) => Math.max(m, s.group + 1), 0);
    this.#groupCount = new Float64Array(groups);
    this.#groupSum = new Float64Array(groups);
  }

  /** Counter resets produced so far (histogram resets count once per histogram). */
  get resets(): number {
    return this.#resets;
  }

  /** Advances every series by one scrape and returns the values, indexed like the series. */
  next(): Float64Array {
    const rand = this.#rand;
    // Histograms first: all their series read the same advanced group state below.
    for (let g = 0; g < this.#groupCount.length; g++) {
      if (this.#groupCount[g]! > 0 && rand() < this.#resetProbability) {
        this.#groupCount[g] = 0;
        this.#groupSum[g] = 0;
        this.#resets++;
      }
      const observed = Math.floor(rand() * 50);
      this.#groupCount[g]! += observed;
      this.#groupSum[g]! += observed * rand() * 0.4;
    }
    const values = this.#values;
    this.#series.forEach((s, i) => {
      if (s.kind === 'histogram') {
        const g = s.group;
        values[i] = s.share < 0 ? this.#groupSum[g]! : Math.floor(this.#groupCount[g]! * s.share);
      } else if (s.kind === 'counter') {
        if (values[i]! > 0 && rand() < this.#resetProbability) {
          values[i] = 0;
          this.#resets++;
        }
        values[i]! += Math.floor(rand() * 20);
      } else {
        values[i] = Math.max(0, values[i]! + (rand() - 0.5) * 1000 + (values[i] === 0 ? 5e7 : 0));
      }
    });
    return values;
  }
}
