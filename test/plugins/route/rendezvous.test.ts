import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashString, murmur3, seriesShardHash } from '../../../host/routing/hash.js';
import { RendezvousHash } from '../../../host/routing/rendezvous.js';
import { labelsFromRecord } from '../../../host/series/labels.js';

const T = { accountId: 0, projectId: 0 };
const keys = Array.from({ length: 20_000 }, (_, i) => hashString(`series-${i}`));
const nodes = (n: number, prefix = 'node') => Array.from({ length: n }, (_, i) => ({ name: `${prefix}-${i}` }));
const owner = (h: RendezvousHash, k: { hi: number; lo: number }) => h.nodes[h.rank(k)[0]!]!.name;

describe('murmur3 and shard hashes', () => {
  it('murmur3 matches the published test vectors', () => {
    const e = new TextEncoder();
    expect(murmur3(e.encode(''), 1)).toBe(0x514e28b7);
    expect(murmur3(e.encode('hello'), 0)).toBe(0x248bfa47);
    expect(murmur3(e.encode('The quick brown fox jumps over the lazy dog'), 0x9747b28c)).toBe(0x2fa826cd);
  });

  it('series that agree on the shard_by labels hash alike, whatever their other labels', () => {
    const a = seriesShardHash(T, labelsFromRecord({ __name__: 'x', job: 'api', path: '/a' }), { by: ['job'] });
    const b = seriesShardHash(T, labelsFromRecord({ __name__: 'y', job: 'api', code: '500' }), { by: ['job'] });
    const c = seriesShardHash(T, labelsFromRecord({ __name__: 'x', job: 'db', path: '/a' }), { by: ['job'] });
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('the same labels in two tenants hash differently', () => {
    const labels = labelsFromRecord({ job: 'api' });
    expect(seriesShardHash(T, labels)).not.toEqual(seriesShardHash({ accountId: 1, projectId: 0 }, labels));
  });
});

describe('rendezvous hashing', () => {
  it('assigns every key to the same node in every instance, whatever the node order', () => {
    const a = new RendezvousHash(nodes(5));
    const b = new RendezvousHash(nodes(5).reverse());
    for (const k of keys.slice(0, 2000)) expect(owner(a, k)).toBe(owner(b, k));
  });

  it('spreads keys evenly, and in proportion to weights', () => {
    const h = new RendezvousHash(nodes(4));
    const counts = new Map<string, number>();
    for (const k of keys) counts.set(owner(h, k), (counts.get(owner(h, k)) ?? 0) + 1);
    for (const c of counts.values()) expect(Math.abs(c - keys.length / 4)).toBeLessThan(keys.length * 0.02);
    const w = new RendezvousHash([{ name: 'big', weight: 3 }, { name: 'small', weight: 1 }]);
    const big = keys.filter((k) => owner(w, k) === 'big').length / keys.length;
    expect(big).toBeGreaterThan(0.72);
    expect(big).toBeLessThan(0.78);
  });

  it('adding a node moves about 1/N of the keys, all of them to the new node', () => {
    const before = new RendezvousHash(nodes(5));
    const after = new RendezvousHash(nodes(6));
    let moved = 0;
    for (const k of keys) {
      const o = owner(after, k);
      if (o !== owner(before, k)) {
        moved++;
        expect(o).toBe('node-5');
      }
    }
    expect(moved / keys.length).toBeGreaterThan(1 / 6 - 0.02);
    expect(moved / keys.length).toBeLessThan(1 / 6 + 0.02);
  });

  it('removing a node moves only the keys it owned', () => {
    const before = new RendezvousHash(nodes(6));
    const after = new RendezvousHash(nodes(6).filter((n) => n.name !== 'node-2'));
    let moved = 0;
    for (const k of keys) {
      const was = owner(before, k);
      if (was === 'node-2') moved++;
      else expect(owner(after, k)).toBe(was);
    }
    expect(moved / keys.length).toBeGreaterThan(1 / 6 - 0.02);
    expect(moved / keys.length).toBeLessThan(1 / 6 + 0.02);
  });

  it('picks R distinct nodes, best first, skipping unusable ones in ranking order', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), fc.string(), fc.integer({ min: 0, max: 11 }), (n, r, key, down) => {
        const h = new RendezvousHash(nodes(n));
        const k = hashString(key);
        const out: number[] = [];
        const got = h.pick(k, r, out, (i) => i !== down);
        const ranking = h.rank(k).filter((i) => i !== down);
        expect(out.slice(0, got)).toEqual(ranking.slice(0, Math.min(r, ranking.length)));
        expect(new Set(out.slice(0, got)).size).toBe(got);
      }),
    );
  });
});
