import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quantileOfSorted, quantileSelect } from '../../host/aggregation/outputs.js';

describe('quantile by selection', () => {
  it('picks the same value as the nearest rank of the sorted values', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 0, maxLength: 300 }), fc.double({ min: 0, max: 1, noNaN: true }), (xs, phi) => {
        const sorted = Float64Array.from(xs).sort();
        const got = quantileSelect(Float64Array.from(xs), phi);
        expect(Object.is(got, quantileOfSorted(sorted, phi)) || got === quantileOfSorted(sorted, phi)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
