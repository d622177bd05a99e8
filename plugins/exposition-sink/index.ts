import { z } from 'zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SampleBatch } from '../../host/batch/sample-batch.js';
import { isStaleNaN } from '../../host/batch/stale.js';
import { duration } from '../../host/config/schema.js';
import { SluiceError } from '../../host/errors.js';
import type { PluginContext } from '../../host/plugin/context.js';
import { PLUGIN_API_VERSION, type Component, type PluginManifest } from '../../host/plugin/manifest.js';
import type { Tenant } from '../../host/batch/tenant.js';
import { metricName, sortLabels, type Labels } from '../../host/series/labels.js';
import { TextWriter } from '../../host/wire/text-writer.js';
import { compileSelectors, matchesAny } from './federate-selectors.js';
import { FamilyMetadata, type Family } from './families.js';
import { LatestValues } from './latest-values.js';

const schema = z
  .strictObject({
    staleness: duration('A series not updated for this long is forgotten and no longer served.', '5m'),
    max_series: z.number().int().min(1).default(1_000_000).describe('Most series held; samples of further new series are dropped and counted.'),
    path: z.string().startsWith('/').default('/federate').describe('HTTP path serving the latest values in the Prometheus text format.'),
    include_timestamps: z.boolean().default(true).describe('Write each sample\'s timestamp, as Prometheus federation does (scrape with honor_timestamps: true).'),
  })
  .describe('Keeps the latest value of every series and serves them for a Prometheus to scrape, like /federate.');

export type ExpositionSinkConfig = z.output<typeof schema>;

/**
 * The embedded sink when no remote_write URL is configured: the latest sample (value and
 * timestamp) of every series that reaches it, served at GET /federate?match[]=<selector> in the
 * Prometheus text format, so a Prometheus scrapes Sluice's output as it scrapes a federation or
 * aggregation gateway. A stale marker removes its series, as it ends it in Prometheus. HELP and
 * TYPE come from the metadata that arrived with the samples; without it, every series is untyped.
 */
const manifest: PluginManifest<ExpositionSinkConfig> = {
  kind: 'sink',
  type: 'exposition',
  api: PLUGIN_API_VERSION,
  stability: 'beta',
  description: 'Latest value of every series, served at /federate in the Prometheus text format for scraping.',
  config: schema,
  example: {},
  create(ctx: PluginContext, config: ExpositionSinkConfig): Component {
    return new ExpositionSink(ctx, config);
  },
};

export default manifest;

class ExpositionSink implements Component {
  readonly #ctx: PluginContext;
  readonly #config: ExpositionSinkConfig;
  readonly #latest: LatestValues;
  readonly #families = new FamilyMetadata();
  readonly #dropped;
  readonly #series;
  #unsubscribe: (() => void) | undefined;

  constructor(ctx: PluginContext, config: ExpositionSinkConfig) {
    this.#ctx = ctx;
    this.#config = config;
    this.#latest = new LatestValues(config.max_series);
    this.#dropped = ctx.metrics.counter({
      name: 'sluice_exposition_dropped_samples_total',
      help: 'Samples the exposition sink did not keep, by reason: series_limit (max_series reached).',
      labelNames: ['reason'],
    });
    this.#series = ctx.metrics.gauge({ name: 'sluice_exposition_series', help: 'Series the exposition sink holds.' });
  }

  start(): void {
    this.#ctx.http.route({ method: 'GET', url: this.#config.path, handler: (req, reply) => this.#serve(req, reply) });
    this.#unsubscribe = this.#ctx.series.onDelete((refs) => {
      for (const ref of refs) this.#latest.delete(ref);
    });
    this.#ctx.timers.setInterval(() => this.#expire(), Math.max(1000, this.#config.staleness / 2));
  }

  consume(batch: SampleBatch): void {
    const now = this.#ctx.clock.now();
    let refused = 0;
    const words = new Uint32Array(batch.values.buffer, batch.values.byteOffset, batch.values.length * 2);
    for (let i = 0; i < batch.length; i++) {
      const ref = batch.refs[i]!;
      if (isStaleNaN(batch.values[i]!)) this.#latest.delete(ref);
      else if (!this.#latest.set(ref, batch.ts[i]!, words, i, now)) refused++;
    }
    if (refused > 0) this.#dropped.inc({ reason: 'series_limit' }, refused);
    if (batch.side?.metadata) this.#families.record(batch.side.metadata);
    this.#series.set(undefined, this.#latest.size);
  }

  stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  #expire(): void {
    this.#latest.expire(this.#ctx.clock.now() - this.#config.staleness);
    this.#series.set(undefined, this.#latest.size);
  }

  #serve(req: FastifyRequest, reply: FastifyReply): unknown {
    let selectors;
    try {
      selectors = compileSelectors(new URLSearchParams(req.url.split('?')[1] ?? '').getAll('match[]'));
    } catch (err) {
      const status = err instanceof SluiceError ? err.status : 400;
      return reply.code(status).type('text/plain; charset=utf-8').send(`${(err as Error).message}\n`);
    }
    this.#expire();
    const rows: { family: Family; name: string; labels: Labels; ts: number; value: number }[] = [];
    this.#latest.forEach((ref, ts, value) => {
      const labels = withTenant(this.#ctx.series.labels(ref), this.#ctx.series.tenant(ref));
      const name = metricName(labels);
      // A series without a name cannot be written in the text format.
      if (name !== '' && matchesAny(selectors, labels)) rows.push({ family: this.#families.familyOf(name), name, labels, ts, value });
    });
    // Families must be contiguous in the text format; within one, order is by name and series for stable output.
    rows.sort((a, b) => compareText(a.family.name, b.family.name) || compareText(a.name, b.name) || compareLabels(a.labels, b.labels));
    const out = new TextWriter();
    let family: string | undefined;
    for (const r of rows) {
      if (r.family.name !== family) out.family(r.family.name, r.family.type, r.family.help);
      family = r.family.name;
      out.sample(r.name, r.labels, r.value, this.#config.include_timestamps ? r.ts : undefined);
    }
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(out.toString());
  }
}

/**
 * Series of a tenant other than 0:0 carry `vm_account_id` and `vm_project_id`, as VictoriaMetrics
 * labels series across tenants: two tenants' equal label sets must not become duplicate lines of
 * one scrape, and match[] can select a tenant by them.
 */
function withTenant(labels: Labels, tenant: Tenant): Labels {
  if (tenant.accountId === 0 && tenant.projectId === 0) return labels;
  return sortLabels([...labels, { name: 'vm_account_id', value: String(tenant.accountId) }, { name: 'vm_project_id', value: String(tenant.projectId) }]);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareLabels(a: Labels, b: Labels): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.name !== y.name) return x.name < y.name ? -1 : 1;
    if (x.value !== y.value) return x.value < y.value ? -1 : 1;
  }
  return a.length - b.length;
}
