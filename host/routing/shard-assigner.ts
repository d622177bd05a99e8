import type { Tenant } from '../batch/tenant.js';
import { growToFit, onIndexDelete } from '../relabel/ref-keyed.js';
import type { SeriesIndex } from '../series/series-index.js';
import { seriesShardHash, type KeyHash, type ShardKeySpec } from './hash.js';
import type { RendezvousHash } from './rendezvous.js';

const UNKNOWN = 0xff;

/**
 * Which nodes own each series, cached by ref: the shard hash is computed once per series (it needs
 * the labels), and the chosen nodes once per series and health state. A lookup in steady state is
 * two array reads. Assignments are dropped wholesale when the set of usable nodes changes; hashes
 * are kept, so re-assigning needs no labels.
 */
export class ShardAssigner {
  readonly #series: SeriesIndex;
  readonly #hash: RendezvousHash;
  readonly #replicas: number;
  readonly #key: ShardKeySpec;
  #hashHi = new Uint32Array(1024);
  #hashLo = new Uint32Array(1024);
  #hashed = new Uint8Array(1024);
  /** Number of assigned nodes per ref, UNKNOWN when not computed for the current health state. */
  #count = new Uint8Array(1024).fill(UNKNOWN);
  #nodes = new Uint16Array(1024);
  #version = -1;
  readonly #unsubscribe: () => void;
  readonly #scratch: KeyHash = { hi: 0, lo: 0 };

  constructor(series: SeriesIndex, hash: RendezvousHash, opts: { replicas: number; key: ShardKeySpec }) {
    if (!Number.isInteger(opts.replicas) || opts.replicas < 1 || opts.replicas > 255) throw new RangeError('replicas must be an integer in [1, 255]');
    this.#series = series;
    this.#hash = hash;
    this.#replicas = opts.replicas;
    this.#key = opts.key;
    this.#nodes = new Uint16Array(1024 * opts.replicas);
    this.#unsubscribe = onIndexDelete(series, (ref) => this.forget(ref));
  }

  /**
   * The nodes for `ref` under health state `version`, best first: a view valid until the next call.
   * Fewer than the replication factor when fewer nodes are usable; empty when none is.
   */
  assign(tenant: Tenant, ref: number, version: number, usable: (node: number) => boolean): Uint16Array {
    if (version !== this.#version) {
      this.#count.fill(UNKNOWN);
      this.#version = version;
    }
    const r = this.#replicas;
    if (ref >= this.#count.length) this.#grow(ref);
    let count = this.#count[ref]!;
    if (count === UNKNOWN) {
      const key = this.keyHash(tenant, ref);
      count = this.#hash.pick(key, r, this.#nodes.subarray(ref * r, ref * r + r), usable);
      this.#count[ref] = count;
    }
    return this.#nodes.subarray(ref * r, ref * r + count);
  }

  /** The shard hash of a series (cached). */
  keyHash(tenant: Tenant, ref: number): KeyHash {
    if (ref >= this.#count.length) this.#grow(ref);
    if (!this.#hashed[ref]) {
      const h = seriesShardHash(tenant, this.#series.labels(ref), this.#key);
      this.#hashHi[ref] = h.hi;
      this.#hashLo[ref] = h.lo;
      this.#hashed[ref] = 1;
    }
    this.#scratch.hi = this.#hashHi[ref]!;
    this.#scratch.lo = this.#hashLo[ref]!;
    return this.#scratch;
  }

  forget(ref: number): void {
    if (ref < this.#count.length) {
      this.#hashed[ref] = 0;
      this.#count[ref] = UNKNOWN;
    }
  }

  close(): void {
    this.#unsubscribe();
  }

  #grow(ref: number): void {
    const before = this.#count.length;
    this.#hashHi = growToFit(this.#hashHi, ref);
    this.#hashLo = growToFit(this.#hashLo, ref);
    this.#hashed = growToFit(this.#hashed, ref);
    this.#count = growToFit(this.#count, ref);
    this.#count.fill(UNKNOWN, before);
    this.#nodes = growToFit(this.#nodes, this.#count.length * this.#replicas - 1);
  }
}
