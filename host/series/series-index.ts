import type { Tenant } from '../batch/tenant.js';
import type { Labels } from './labels.js';
import type { Matcher } from './matcher.js';
import type { SeriesKernel } from './series-kernel.js';
import type { Tsid } from './tsid.js';

/**
 * Label sets to dense series refs. Every sample in Sluice is addressed by its ref; labels are
 * materialised only where a component needs them (a new series, a sink encoding it).
 * The ref space is shared by all tenants; the tenant is part of the key.
 *
 * Refs are dense from 0. A deleted ref may be handed to a different series later (after the
 * index has purged it from its postings), so anything cached by ref must listen to onDelete().
 */
export interface SeriesIndex {
  /**
   * The ref of a series, inserting it when new. Labels are sorted by name.
   * Throws `LimitExceededError` when the tenant is over its series limit.
   */
  resolve(tenant: Tenant, labels: Labels): number;
  /**
   * The same for a label set given as canonical key bytes (series-key.ts), key[0, length): the hot
   * path of decoders, which never turn a known series into strings.
   */
  resolveKey(tenant: Tenant, key: Uint8Array, length: number): number;
  /**
   * A buffer of at least `minBytes` for a decoder to write a key into, then call resolveScratch():
   * for the WebAssembly index this is the kernel's own memory, which saves copying the key.
   * Valid until the next call on the index (which may move or grow it).
   */
  scratch(minBytes: number): Uint8Array;
  /** resolveKey() on the first `length` bytes of scratch(). */
  resolveScratch(tenant: Tenant, length: number): number;
  /**
   * Resolves `count` keys a decoder wrote back to back into scratch(): key i is
   * scratch[offsets[i], offsets[i + 1]), offsets ascending. Writes the refs to out[0, count). The fastest path: one
   * kernel call for a whole request. A key refused by a limit or malformed throws, as
   * resolveKey() does; the refs of the keys before it are already in `out`.
   * `checkNew(i)` is called for every key not in the index yet, before any of them is inserted:
   * a decoder validates labels there, once per new series, and throws to refuse the request.
   */
  resolveScratchBatch(tenant: Tenant, offsets: Uint32Array, count: number, out: Uint32Array, checkNew?: (i: number) => void): void;
  /**
   * The index's WebAssembly kernel, for wire codecs that decode and encode remote_write inside its
   * memory (host/wire/kernel-*.ts); undefined for the reference index and for a drop-in's proxy,
   * where the TypeScript codecs run instead.
   */
  readonly kernel?: IndexKernel;
  /** The labels of a live ref. */
  labels(ref: number): Labels;
  /** The tenant of a live ref. */
  tenant(ref: number): Tenant;
  /** A copy of the canonical key bytes of a live ref, for sinks that re-encode without strings. */
  key(ref: number): Uint8Array;
  /**
   * The canonical key bytes of live refs back to back, refs[i]'s at bytes[offsets[i], offsets[i + 1]):
   * for naming many series at once (a state snapshot), one copy instead of an array per key().
   * Throws RangeError on a ref that is not live.
   */
  keys(refs: ArrayLike<number>): { bytes: Uint8Array; offsets: Uint32Array };
  /** The TSID of a live ref (tsid.ts). */
  tsid(ref: number): Tsid;
  /** Whether a ref is live. */
  has(ref: number): boolean;
  /** Number of live series. */
  readonly size: number;
  /**
   * Deletes series (staleness, retention); refs that are not live are ignored. Returns how many
   * were deleted. Their refs may later be reused for other series.
   */
  delete(refs: ArrayLike<number>): number;
  /** Calls `listener` with the refs of every delete(); returns the function that unsubscribes. */
  onDelete(listener: (refs: Uint32Array) => void): () => void;
  /** Refs of the tenant's series matching every matcher (PromQL semantics), ascending. */
  select(tenant: Tenant, matchers: readonly Matcher[]): Uint32Array;
  /** Label names of the tenant's series (of those matching, when matchers are given), sorted. */
  labelNames(tenant: Tenant, opts?: LabelQuery): string[];
  /** Values of one label, sorted. */
  labelValues(tenant: Tenant, name: string, opts?: LabelQuery): string[];
  /** Label sets of the series matching a selector, sorted as Prometheus sorts series. */
  series(tenant: Tenant, matchers: readonly Matcher[], opts?: { limit?: number }): Labels[];
  /** Active and new series of a tenant. */
  cardinality(tenant: Tenant): CardinalityStats;
  /** The tenant's metric names with the most active series, most first. */
  topMetrics(tenant: Tenant, limit: number): { name: string; series: number }[];
  /** Purges deleted series from the postings now and makes their refs reusable. */
  compact(): void;
  /** Writes the index to a file atomically (temp file, then rename). */
  save(path: string): Promise<void>;
  /** Loads a file written by save() into this index, which must be empty. */
  load(path: string): Promise<void>;
}

export interface LabelQuery {
  /** Only series matching all of these. */
  matchers?: readonly Matcher[];
  /** At most this many results (the first in sort order). */
  limit?: number;
}

export interface CardinalityStats {
  activeSeries: number;
  /** Series created in the last 60 seconds. */
  newSeriesLastMinute: number;
  /** New series refused by a limit since start. */
  refusedSeries: number;
}

/** What a wire codec working in the index kernel's memory may do beyond reading it. */
export interface IndexKernel {
  readonly instance: SeriesKernel;
  /** The kernel's number for a tenant (created on first use). */
  tenantId(tenant: Tenant): number;
  /**
   * Inserts the key at [ptr, ptr + length) of kernel memory, which lookup just missed: checks
   * that it is well formed and that the tenant's limits admit it; returns the new ref.
   */
  insertAt(tid: number, ptr: number, length: number): number;
}
