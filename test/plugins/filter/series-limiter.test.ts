import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeriesLimiter } from '../../../plugins/filter/series-limiter.js';

const WINDOW = 60 * 60_000;
const BUCKETS = 12;
const SLOT = WINDOW / BUCKETS;

/**
 * The plain definition: a series is live while its last admitted sighting is in one of the last
 * BUCKETS slots; a new series is admitted while fewer than `limit` are live.
 */
class NaiveLimiter {
  #last = new Map<number, number>();
  admit(ref: number, slot: number, limit: number): boolean {
    const live = (s: number) => s > slot - BUCKETS;
    const last = this.#last.get(ref);
    if (last === undefined || !live(last)) {
      let n = 0;
      for (const s of this.#last.values()) if (live(s)) n++;
      if (n >= limit) return false;
    }
    this.#last.set(ref, slot);
    return true;
  }
}

describe('sliding series limiter', () => {
  it('admits exactly what the plain definition admits, over random sightings and clock jumps', () => {
    // Mostly steps within a slot or two (series move between slots), sometimes past the window.
    const advance = fc.oneof({ arbitrary: fc.integer({ min: 0, max: 2 * SLOT }), weight: 4 }, { arbitrary: fc.integer({ min: 0, max: 2 * WINDOW }), weight: 1 });
    const event = fc.oneof({ arbitrary: fc.record({ ref: fc.integer({ min: 0, max: 10 }) }), weight: 3 }, { arbitrary: fc.record({ advance }), weight: 1 });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(event, { maxLength: 300 }), (limit, events) => {
        const limiter = new SeriesLimiter(WINDOW, BUCKETS);
        const w = limiter.tenant('1:0');
        const naive = new NaiveLimiter();
        let now = 1_700_000_000_000;
        for (const e of events) {
          if ('advance' in e) {
            now += e.advance;
            continue;
          }
          const slot = Math.floor(now / SLOT);
          expect(limiter.admit(w, e.ref, slot, limit)).toBe(naive.admit(e.ref, slot, limit));
        }
      }),
      { numRuns: 500 },
    );
  });
});
