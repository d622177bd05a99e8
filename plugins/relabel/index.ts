import { z } from 'zod';
import type { SampleBatch } from '../../host/batch/sample-batch.js';
import { PLUGIN_API_VERSION, type Component, type Consumer, type PluginManifest } from '../../host/plugin/manifest.js';
import type { PluginContext } from '../../host/plugin/context.js';
import { relabelConfigsSchema } from '../../host/relabel/config.js';
import { RelabelEngine } from '../../host/relabel/engine.js';
import { RefRelabeler } from '../../host/relabel/ref-relabeler.js';
import { serveRelabelDebug } from './debug-route.js';

const schema = z.strictObject({
  relabel_configs: relabelConfigsSchema.describe(
    'Prometheus metric_relabel_configs / vmagent -remoteWrite.relabelConfig rules, accepted unchanged. Applied once per new series; the result is cached by series ref.',
  ),
  hashmod_hash: z
    .enum(['md5', 'xxhash64'])
    .default('md5')
    .describe('The hash behind hashmod: md5 gives the shards Prometheus computes, xxhash64 those of vmagent and VictoriaMetrics (keep it when migrating a hashmod sharding setup).'),
});

export type RelabelProcessorConfig = z.output<typeof schema>;

/**
 * Rewrites the labels of every series with Prometheus relabel rules. Each series is relabeled
 * once, on first sight; later samples cost one array lookup. Emits one batch per input batch with
 * rewritten refs and the dropped rows removed (no batch when nothing is left), or the input batch
 * itself when no row is dropped or renamed, so that a remote_write request the rules leave alone
 * is still forwarded as received (SampleBatch.wire). Samples never change tenant: output series
 * are resolved in the batch's own tenant. Serves a step-by-step trace of the rules at
 * `/-/relabel-debug/<id>` (debug-route.ts).
 */
const manifest: PluginManifest<RelabelProcessorConfig> = {
  kind: 'processor',
  type: 'relabel',
  api: PLUGIN_API_VERSION,
  stability: 'beta',
  description: 'Prometheus/vmagent relabeling (all actions, plus VictoriaMetrics extensions and if: selectors), cached per series.',
  config: schema,
  example: {
    relabel_configs: [
      { source_labels: ['__name__'], regex: 'go_.*', action: 'drop' },
      { target_label: 'env', replacement: 'prod' },
    ],
  },
  create(ctx: PluginContext, config: RelabelProcessorConfig, next: Consumer): Component {
    return new RelabelProcessor(ctx, config, next);
  },
};

export default manifest;

class RelabelProcessor implements Component {
  readonly #next: Consumer;
  readonly #relabeler: RefRelabeler;
  readonly #dropped;

  constructor(ctx: PluginContext, config: RelabelProcessorConfig, next: Consumer) {
    this.#next = next;
    const engine = new RelabelEngine(config.relabel_configs, { hashmod: config.hashmod_hash });
    this.#relabeler = new RefRelabeler(ctx.series, engine);
    serveRelabelDebug(ctx.http, ctx.id, engine);
    this.#dropped = ctx.metrics.counter({
      name: 'sluice_relabel_dropped_samples_total',
      help: 'Samples dropped by relabeling, by reason: rules (a keep/drop rule or no label left) or series_limit (the index refused the output series).',
      labelNames: ['reason'],
    });
  }

  async consume(batch: SampleBatch): Promise<void> {
    const { batch: out, dropped, refused } = this.#relabeler.rewrite(batch);
    if (dropped > 0) this.#dropped.inc({ reason: 'rules' }, dropped);
    if (refused > 0) this.#dropped.inc({ reason: 'series_limit' }, refused);
    if (out) await this.#next.consume(out);
  }

  stop(): void {
    this.#relabeler.close();
  }
}
