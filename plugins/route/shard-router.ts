import type { SampleBatch } from '../../host/batch/sample-batch.js';
import { BackpressureError, isRetryable } from '../../host/errors.js';
import type { Clock } from '../../host/plugin/context.js';
import type { RendezvousHash } from '../../host/routing/rendezvous.js';
import type { ShardAssigner } from '../../host/routing/shard-assigner.js';
import { TargetHealth } from '../../host/routing/target-health.js';
import type { TargetConsumer } from '../../host/routing/targets.js';
import { BatchRows } from './sub-batch.js';

/** What one routed batch came to, for metrics. */
export interface RouteOutcome {
  /** Rows handed to each target (index = target), counting replicas. */
  sent: number[];
  /** Rows that reached fewer targets than the replication factor (but at least one). */
  underReplicated: number;
  /** Failovers: a target's share re-sent to the next nodes after a retryable failure. */
  failovers: number;
}

/**
 * Splits batches into per-target shares by the series' rendezvous ranking and hands each share to
 * its target's consumer, all targets in parallel. A target that rejects with a retryable error is
 * marked down and its share goes, row by row, to each row's next-ranked usable node not already
 * holding it; the target is probed again after its back-off. Throws BackpressureError when some row
 * reached no target or a target was congested (BackpressureError: passed on, not failed over), so
 * the source answers 503 and the client retries; rethrows a permanent error (bad data: another node
 * would refuse it too).
 */
export class ShardRouter {
  readonly #targets: readonly TargetConsumer[];
  readonly #hash: RendezvousHash;
  readonly #assigner: ShardAssigner;
  readonly #replicas: number;
  readonly health: TargetHealth;

  constructor(targets: readonly TargetConsumer[], hash: RendezvousHash, assigner: ShardAssigner, opts: { replicas: number; clock: Clock; backoffMs: number; maxBackoffMs: number }) {
    this.#targets = targets;
    this.#hash = hash;
    this.#assigner = assigner;
    this.#replicas = opts.replicas;
    this.health = new TargetHealth(targets.length, opts.clock, opts);
  }

  async route(batch: SampleBatch): Promise<RouteOutcome> {
    const health = this.health;
    health.refresh(this.#targets.map((t) => t.healthy?.()));
    const usable = (n: number) => health.usable(n);
    const rows = new BatchRows(batch);
    const outcome: RouteOutcome = { sent: new Array<number>(this.#targets.length).fill(0), underReplicated: 0, failovers: 0 };
    const shares = this.#targets.map((): number[] => []);
    const initial = new Uint8Array(rows.size);
    for (let i = 0; i < rows.size; i++) {
      const nodes = this.#assigner.assign(batch.tenant, rows.ref(i), health.version, usable);
      initial[i] = nodes.length;
      for (const n of nodes) shares[n]!.push(i);
    }
    // Nodes holding each row, kept only for rows that saw a failure (rare).
    const holders = new Map<number, number[]>();
    let permanent: unknown;
    let congested: BackpressureError | undefined;
    let metadataSent = false;
    for (;;) {
      const round: Share[] = shares.map((s, n) => ({ n, rows: s.slice() })).filter((s) => s.rows.length > 0);
      if (round.length === 0) break;
      const withMetadata = !metadataSent;
      metadataSent = true;
      const results = await Promise.allSettled(round.map((s, k) => this.#targets[s.n]!.consume(rows.select(s.rows, withMetadata && k === 0))));
      for (const s of shares) s.length = 0;
      const failed: Share[] = [];
      results.forEach((r, k) => {
        const { n, rows: sent } = round[k]!;
        if (r.status === 'fulfilled') {
          health.succeeded(n);
          outcome.sent[n]! += sent.length;
          for (const i of sent) holders.get(i)?.push(n);
        } else if (r.reason instanceof BackpressureError) {
          // Congestion, not failure: moving the series would split their aggregation groups
          // across nodes and push the load onto the others. The client is told to retry.
          congested ??= r.reason;
        } else if (isRetryable(r.reason)) {
          health.failed(n);
          failed.push({ n, rows: sent });
        } else {
          permanent ??= r.reason;
        }
      });
      if (failed.length === 0) break;
      outcome.failovers += failed.length;
      const accepted = round.filter((_, k) => results[k]!.status === 'fulfilled');
      this.#reassign(batch, rows, failed, accepted, holders, shares);
    }
    if (permanent !== undefined) throw permanent;
    if (congested) throw congested;
    return this.#finish(initial, holders, outcome);
  }

  /** Finds each failed row its next usable nodes, skipping the ones that already hold it. */
  #reassign(batch: SampleBatch, rows: BatchRows, failed: Share[], accepted: Share[], holders: Map<number, number[]>, shares: number[][]): void {
    const fresh = new Set<number>();
    for (const f of failed) {
      for (const i of f.rows) {
        if (holders.has(i)) continue;
        holders.set(i, []);
        fresh.add(i);
      }
    }
    // A row failing for the first time is held by the nodes of this round that accepted it.
    for (const s of accepted) for (const i of s.rows) if (fresh.has(i)) holders.get(i)!.push(s.n);
    const out: number[] = [];
    const seen = new Set<number>();
    for (const f of failed) {
      for (const i of f.rows) {
        if (seen.has(i)) continue;
        seen.add(i);
        const held = holders.get(i)!;
        const want = this.#replicas - held.length;
        if (want <= 0) continue;
        const key = this.#assigner.keyHash(batch.tenant, rows.ref(i));
        const got = this.#hash.pick(key, want, out, (n) => this.health.usable(n) && !held.includes(n));
        for (let k = 0; k < got; k++) shares[out[k]!]!.push(i);
      }
    }
    for (const s of shares) s.sort((a, b) => a - b);
  }

  #finish(initial: Uint8Array, holders: Map<number, number[]>, outcome: RouteOutcome): RouteOutcome {
    let lost = 0;
    for (let i = 0; i < initial.length; i++) {
      const count = holders.get(i)?.length ?? initial[i]!;
      if (count === 0) lost++;
      else if (count < this.#replicas) outcome.underReplicated++;
    }
    if (lost > 0) {
      throw new BackpressureError(`route: no usable target for ${lost} of ${initial.length} rows (${this.health.usableCount()} of ${this.#targets.length} targets usable)`);
    }
    return outcome;
  }
}

interface Share {
  n: number;
  rows: number[];
}
