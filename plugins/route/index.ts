/**
 * # route
 *
 * Shards series across N downstream targets, with replication factor R, failover and fail-back.
 *
 * Design decisions (issue 4):
 * - **Route owns its targets.** A processor has one `next`, and annotating batches with a target
 *   column would push routing into every consumer. Instead `route` splits each batch into
 *   per-target sub-batches and hands each to a consumer built by a context-independent factory
 *   (host/routing/targets.ts, `registerTargetKind`). Built in is `remote_write`: a POST straight
 *   to the node, acknowledged on 2xx (host/routing/remote-write-target.ts); other kinds (a queued
 *   remote_write sink, kafka) register themselves, tests register their own. `next` receives
 *   only the share of `local` targets: this node's own series when every node routes to all.
 *   A share that is the whole batch is the batch itself, so it keeps its wire form (SampleBatch.wire).
 * - **Rendezvous hashing** (host/routing/rendezvous.ts) rather than a ring with virtual nodes,
 *   jump hash or maglev: adding or removing a node moves only ~1/N of the series and nothing
 *   else; a down node's series spread over all survivors in each series' own ranking order and
 *   come back when it recovers; the top R of the ranking gives R distinct replicas; and there is
 *   no table to rebuild. Its O(N) lookup is paid once per series (assignments are cached by ref).
 * - **Shard key** `shard_by: [labels]` hashes only those labels (plus the tenant), so every
 *   series of an aggregation group lands on the same node and no two nodes emit the same output
 *   series for an interval; set it to the stream aggregation's `by` labels. Without it, all
 *   labels (minus `shard_ignore`) are hashed.
 * - **Health comes from the consumers**: a retryable rejection marks a target down for a back-off
 *   (doubling to `max_backoff`), and its share of the batch fails over at once; a consumer's own
 *   `healthy()` report is honoured too. Back-pressure (BackpressureError, a full edge) is not a
 *   failure: it is passed on rather than failed over, because moving series on congestion would
 *   split aggregation groups across nodes and load the others. When no target can take a row,
 *   consume rejects with BackpressureError (503, retried by the client); a permanent error is
 *   passed on unchanged.
 * - Samples never change tenant: sub-batches keep the batch's tenant.
 */
import { z } from 'zod';
import type { SampleBatch } from '../../host/batch/sample-batch.js';
import { duration } from '../../host/config/schema.js';
import { ConfigError } from '../../host/errors.js';
import type { PluginContext } from '../../host/plugin/context.js';
import { PLUGIN_API_VERSION, type Component, type Consumer, type PluginManifest } from '../../host/plugin/manifest.js';
import { RendezvousHash } from '../../host/routing/rendezvous.js';
import { loadSnappyCodec } from '../../host/wire/snappy-codec.js';
import { ShardAssigner } from '../../host/routing/shard-assigner.js';
import { createTargetConsumer, targetKinds, type TargetConsumer } from '../../host/routing/targets.js';
import { ShardRouter } from './shard-router.js';

const target = z.strictObject({
  name: z.string().min(1).describe("The target's identity in the hash: renaming a target moves its series."),
  kind: z.string().default('remote_write').describe('remote_write (POST to url), local (this node: on to the route\'s downstream), or a kind another plugin registered.'),
  url: z.string().optional().describe('Where the target sends, for kinds that need one.'),
  weight: z.number().positive().default(1).describe('Relative share of series this target gets.'),
  options: z.record(z.string(), z.unknown()).default({}).describe('Settings for the target kind, passed through.'),
});

const schema = z
  .strictObject({
    targets: z.array(target).min(1).describe('Downstream nodes the series are sharded across.'),
    shard_by: z.array(z.string()).optional().describe('Hash only these labels (e.g. the aggregation `by` labels) so a whole group lands on one node.'),
    shard_ignore: z.array(z.string()).default([]).describe('Labels left out of the hash when shard_by is not set.'),
    replication_factor: z.number().int().min(1).default(1).describe('How many distinct targets receive each series.'),
    backoff: duration('How long a target that failed is skipped before it is probed again.', '5s'),
    max_backoff: duration('Cap of the back-off, which doubles on each consecutive failure.', '1m'),
  })
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.targets.forEach((t, i) => {
      if (seen.has(t.name)) ctx.addIssue({ code: 'custom', path: ['targets', i, 'name'], message: `duplicate target name ${JSON.stringify(t.name)}` });
      seen.add(t.name);
    });
    if (c.replication_factor > c.targets.length) {
      ctx.addIssue({ code: 'custom', path: ['replication_factor'], message: `replication_factor ${c.replication_factor} exceeds the ${c.targets.length} targets` });
    }
    if (c.shard_by && c.shard_ignore.length > 0) ctx.addIssue({ code: 'custom', path: ['shard_ignore'], message: 'set shard_by or shard_ignore, not both' });
  });

export type RouteConfig = z.output<typeof schema>;

const manifest: PluginManifest<RouteConfig> = {
  kind: 'processor',
  type: 'route',
  api: PLUGIN_API_VERSION,
  stability: 'alpha',
  description: 'Shards series across targets by a stable rendezvous hash (optionally of chosen labels), with replication, failover and fail-back.',
  config: schema,
  example: { targets: [{ name: 'self', kind: 'local' }, { name: 'vm-local', url: 'http://127.0.0.1:8428/api/v1/write' }], shard_by: ['job'] },
  async create(ctx: PluginContext, config: RouteConfig, next: Consumer): Promise<Component> {
    await loadSnappyCodec();
    return new RouteProcessor(ctx, config, next);
  },
};

export default manifest;

class RouteProcessor implements Component {
  readonly #targets: TargetConsumer[];
  readonly #assigner: ShardAssigner;
  readonly #router: ShardRouter;
  readonly #names: string[];
  readonly #metrics;
  #stopped = false;

  constructor(ctx: PluginContext, config: RouteConfig, next: Consumer) {
    const missing = config.targets.flatMap((t, i) => (targetKinds().includes(t.kind) ? [] : [{ path: `${ctx.id}.targets[${i}].kind`, message: `unknown route target kind ${JSON.stringify(t.kind)}; registered: ${targetKinds().join(', ') || 'none'}` }]));
    if (missing.length > 0) throw new ConfigError(missing);
    this.#targets = config.targets.map((t) => createTargetConsumer(t, { series: ctx.series, signal: ctx.signal, next })!);
    this.#names = config.targets.map((t) => t.name);
    const hash = new RendezvousHash(config.targets);
    const key = config.shard_by ? { by: config.shard_by } : { ignore: config.shard_ignore };
    this.#assigner = new ShardAssigner(ctx.series, hash, { replicas: config.replication_factor, key });
    this.#router = new ShardRouter(this.#targets, hash, this.#assigner, { replicas: config.replication_factor, clock: ctx.clock, backoffMs: config.backoff, maxBackoffMs: config.max_backoff });
    this.#metrics = {
      sent: ctx.metrics.counter({ name: 'sluice_route_sent_rows_total', help: 'Rows (samples, histograms, exemplars) handed to each target, replicas included.', labelNames: ['target'] }),
      failovers: ctx.metrics.counter({ name: 'sluice_route_failovers_total', help: "Times a target's share failed with a retryable error and went to the next nodes.", labelNames: [] }),
      under: ctx.metrics.counter({ name: 'sluice_route_under_replicated_rows_total', help: 'Rows that reached fewer targets than replication_factor.', labelNames: [] }),
      up: ctx.metrics.gauge({ name: 'sluice_route_target_up', help: '1 while a target takes series, 0 while it is skipped (failed and backing off, or reporting itself unhealthy).', labelNames: ['target'] }),
    };
  }

  async consume(batch: SampleBatch): Promise<void> {
    let outcome;
    try {
      outcome = await this.#router.route(batch);
    } finally {
      this.#names.forEach((target, i) => this.#metrics.up.set({ target }, this.#router.health.usable(i) ? 1 : 0));
    }
    outcome.sent.forEach((n, i) => n > 0 && this.#metrics.sent.inc({ target: this.#names[i]! }, n));
    if (outcome.failovers > 0) this.#metrics.failovers.inc({}, outcome.failovers);
    if (outcome.underReplicated > 0) this.#metrics.under.inc({}, outcome.underReplicated);
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#assigner.close();
    await Promise.all(this.#targets.map((t) => t.close?.()));
  }
}
