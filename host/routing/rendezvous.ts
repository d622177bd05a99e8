import { fmix32, hashString, type KeyHash } from './hash.js';

/** A node of the ring: a name (its identity in the hash) and a relative weight. */
export interface RingNode {
  readonly name: string;
  readonly weight?: number;
}

/**
 * Weighted rendezvous (highest random weight) hashing. Every node scores every key; a key belongs
 * to the highest-scoring nodes that are up. Why this over a ring with virtual nodes, jump hash or
 * maglev:
 * - movement is minimal by construction: adding a node takes over exactly the keys it now wins
 *   (about 1/N), removing one moves only its own keys, and nothing else ever moves;
 * - failover needs no rebuild: a down node's keys go to each key's next-ranked node, so they spread
 *   evenly over the survivors instead of piling onto one ring neighbour, and return when it is up;
 * - replication is the top R of the same ranking, always R distinct nodes;
 * - no table or virtual nodes: memory is O(N), and arbitrary nodes can be removed (jump hash can
 *   only drop the last bucket; maglev moves a few extra keys on every change).
 * The cost is O(N) per lookup, paid once per series because callers cache assignments by ref.
 */
export class RendezvousHash {
  readonly nodes: readonly RingNode[];
  readonly #seedHi: Uint32Array;
  readonly #seedLo: Uint32Array;
  readonly #weights: Float64Array;
  readonly #scores: Float64Array;

  constructor(nodes: readonly RingNode[]) {
    if (nodes.length === 0) throw new RangeError('a rendezvous hash needs at least one node');
    if (new Set(nodes.map((n) => n.name)).size !== nodes.length) throw new RangeError('node names must be unique');
    this.nodes = nodes;
    this.#seedHi = new Uint32Array(nodes.length);
    this.#seedLo = new Uint32Array(nodes.length);
    this.#weights = new Float64Array(nodes.length);
    this.#scores = new Float64Array(nodes.length);
    nodes.forEach((n, i) => {
      const h = hashString(n.name);
      this.#seedHi[i] = h.hi;
      this.#seedLo[i] = h.lo;
      const w = n.weight ?? 1;
      if (!(w > 0) || !Number.isFinite(w)) throw new RangeError(`node ${n.name}: weight must be a positive number`);
      this.#weights[i] = w;
    });
  }

  /** The score of node `i` for a key: -weight / ln(u) with u uniform in (0, 1) from 53 hash bits. */
  score(i: number, key: KeyHash): number {
    const a = fmix32((key.hi ^ this.#seedHi[i]!) >>> 0);
    const b = fmix32((key.lo ^ this.#seedLo[i]! ^ a) >>> 0);
    const u = (a * 2 ** 21 + (b >>> 11) + 0.5) / 2 ** 53;
    return -this.#weights[i]! / Math.log(u);
  }

  /**
   * Writes into `out` the indices of the best `count` nodes for which `usable(i)` holds, best
   * first, and returns how many it wrote (fewer when fewer nodes are usable).
   */
  pick(key: KeyHash, count: number, out: Uint16Array | number[], usable: (i: number) => boolean = () => true): number {
    const n = this.nodes.length;
    const scores = this.#scores;
    for (let i = 0; i < n; i++) scores[i] = usable(i) ? this.score(i, key) : -1;
    let written = 0;
    // count is small (the replication factor), so repeated max-selection beats sorting.
    while (written < count) {
      let best = -1;
      let bestScore = -1;
      for (let i = 0; i < n; i++) {
        if (scores[i]! > bestScore) {
          best = i;
          bestScore = scores[i]!;
        }
      }
      if (best < 0) break;
      out[written++] = best;
      scores[best] = -1;
    }
    return written;
  }

  /** All nodes ranked for a key, best first (the failover order). */
  rank(key: KeyHash): number[] {
    const out: number[] = [];
    this.pick(key, this.nodes.length, out);
    return out;
  }
}
