import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seriesShardHash } from '../../../host/routing/hash.js';
import { RendezvousHash } from '../../../host/routing/rendezvous.js';
import { ShardAssigner } from '../../../host/routing/shard-assigner.js';
import { labelsFromRecord } from '../../../host/series/labels.js';
import { MapSeriesIndex } from '../../../host/series/map-series-index.js';

const T = { accountId: 4, projectId: 0 };
const NODES = 6;

/** A lookup of a series, a change of which nodes are up, or deleting series (their refs get reused). */
const step = fc.oneof(
  fc.record({ lookup: fc.array(fc.integer({ min: 0, max: 29 }), { minLength: 1, maxLength: 20 }) }),
  fc.record({ up: fc.array(fc.boolean(), { minLength: NODES, maxLength: NODES }) }),
  fc.record({ remove: fc.array(fc.integer({ min: 0, max: 29 }), { minLength: 1, maxLength: 4 }) }),
);

describe('cached shard assignment', () => {
  it('always equals a fresh rendezvous pick over the usable nodes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.array(step, { minLength: 1, maxLength: 30 }), (replicas, steps) => {
        const index = new MapSeriesIndex();
        const hash = new RendezvousHash(Array.from({ length: NODES }, (_, i) => ({ name: `n${i}`, weight: 1 + (i % 2) })));
        const assigner = new ShardAssigner(index, hash, { replicas, key: { by: ['job'] } });
        let up = new Array<boolean>(NODES).fill(true);
        let version = 0;
        const labelsOf = (n: number) => labelsFromRecord({ __name__: `m${n}`, job: `j${n % 7}` });
        for (const s of steps) {
          if ('up' in s) {
            up = s.up;
            version++;
          } else if ('remove' in s) {
            index.delete(s.remove.map((n) => index.resolve(T, labelsOf(n))));
            index.compact();
          } else {
            for (const n of s.lookup) {
              const ref = index.resolve(T, labelsOf(n));
              const got = Array.from(assigner.assign(T, ref, version, (i) => up[i]!));
              const want: number[] = [];
              const count = hash.pick(seriesShardHash(T, labelsOf(n), { by: ['job'] }), replicas, want, (i) => up[i]!);
              expect(got).toEqual(want.slice(0, count));
            }
          }
        }
        assigner.close();
      }),
      { numRuns: 200 },
    );
  });
});
