import type { Tenant } from '../batch/tenant.js';
import type { Labels } from '../series/labels.js';
import { encodeSeriesKey } from '../series/series-key.js';

/**
 * Stable hashes for sharding. They decide which node owns a series across processes, restarts and
 * versions, so the algorithm is a contract: MurmurHash3 x86_32 with fixed seeds over the canonical
 * series-key bytes (series-key.ts). Changing it moves every series in a running cluster.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** MurmurHash3 x86_32 of `bytes` with `seed`. */
export function murmur3(bytes: Uint8Array, seed: number): number {
  let h = seed >>> 0;
  const n = bytes.length;
  const blocks = n & ~3;
  for (let i = 0; i < blocks; i += 4) {
    let k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = n & 3;
  if (tail > 0) {
    let k = 0;
    if (tail === 3) k ^= bytes[blocks + 2]! << 16;
    if (tail >= 2) k ^= bytes[blocks + 1]! << 8;
    k ^= bytes[blocks]!;
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
  }
  h ^= n;
  return fmix32(h);
}

/** Murmur3's finaliser: a bijective 32-bit mix with full avalanche. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 64-bit key hash as two independent 32-bit halves (JavaScript has no cheap uint64). */
export interface KeyHash {
  hi: number;
  lo: number;
}

const SEED_HI = 0x5f3759df;
const SEED_LO = 0x2545f491;
const encoder = new TextEncoder();

/** Hash of arbitrary bytes, e.g. a node name. */
export function hashBytes(bytes: Uint8Array): KeyHash {
  return { hi: murmur3(bytes, SEED_HI), lo: murmur3(bytes, SEED_LO) };
}

export function hashString(text: string): KeyHash {
  return hashBytes(encoder.encode(text));
}

/** Which labels of a series decide its shard. */
export type ShardKeySpec = { by: readonly string[] } | { ignore: readonly string[] };

/**
 * The shard hash of a series: its tenant and the chosen labels (all of them by default). With
 * `by: [job, instance]`, every series of one (tenant, job, instance) group hashes alike, so one
 * node sees the whole aggregation group. A label in `by` the series lacks counts as empty.
 */
export function seriesShardHash(tenant: Tenant, labels: Labels, spec: ShardKeySpec = { ignore: [] }): KeyHash {
  let chosen: Labels;
  if ('by' in spec) {
    chosen = labels.filter((l) => spec.by.includes(l.name));
  } else {
    chosen = spec.ignore.length === 0 ? labels : labels.filter((l) => !spec.ignore.includes(l.name));
  }
  const key = encodeSeriesKey(chosen);
  const bytes = new Uint8Array(8 + key.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, tenant.accountId, true);
  view.setUint32(4, tenant.projectId, true);
  bytes.set(key, 8);
  return hashBytes(bytes);
}
