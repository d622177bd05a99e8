import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { TooLargeError } from '../../host/errors.js';
import type { PluginContext } from '../../host/plugin/context.js';
import { PLUGIN_API_VERSION, type Component, type Consumer, type PluginManifest } from '../../host/plugin/manifest.js';
import { BatchCollector } from '../../host/wire/batch-collector.js';
import { decodeRemoteWrite, negotiateRemoteWrite } from '../../host/wire/remote-write-request.js';
import { SeriesKeyBuilder } from '../../host/wire/series-key-builder.js';
import { ingestFields, labelLimits } from './ingest-config.js';
import { IngestMetrics } from './ingest-metrics.js';
import { deliver, replyError, type Written } from './ingest-reply.js';
import { TenantAuth } from './tenant-auth.js';

const schema = z.strictObject({ ...ingestFields });

export type RemoteWriteSourceConfig = z.output<typeof schema>;

/** The paths Prometheus, vmagent and VictoriaMetrics-cluster clients write to. */
export const REMOTE_WRITE_PATHS = ['/api/v1/write', '/prometheus/api/v1/write', '/insert/:tenant/prometheus/api/v1/write'];

const manifest: PluginManifest<RemoteWriteSourceConfig> = {
  kind: 'source',
  type: 'remote_write',
  api: PLUGIN_API_VERSION,
  stability: 'beta',
  description: 'Prometheus remote_write 1.0 and 2.0 receiver (snappy, native histograms, exemplars, metadata) with tenants by path or bearer token.',
  config: schema,
  example: {},
  create(ctx: PluginContext, config: RemoteWriteSourceConfig, next: Consumer): Component {
    return new RemoteWriteSource(ctx, config, next);
  },
};

export default manifest;

/**
 * Receives remote_write requests on POST. Each body is checked, decompressed and decoded in full
 * before anything goes downstream (a malformed body is refused whole, 400), then delivered batch
 * by batch; a full edge answers 503 with Retry-After so the sender retries instead of dropping.
 */
class RemoteWriteSource implements Component {
  readonly #ctx: PluginContext;
  readonly #config: RemoteWriteSourceConfig;
  readonly #next: Consumer;
  readonly #auth: TenantAuth;
  readonly #metrics: IngestMetrics;
  readonly #keys: SeriesKeyBuilder;

  constructor(ctx: PluginContext, config: RemoteWriteSourceConfig, next: Consumer) {
    this.#ctx = ctx;
    this.#config = config;
    this.#next = next;
    this.#auth = new TenantAuth(config.tenants);
    this.#metrics = new IngestMetrics(ctx);
    this.#keys = new SeriesKeyBuilder(labelLimits(config));
  }

  start(): void {
    for (const url of REMOTE_WRITE_PATHS) {
      this.#ctx.http.route({ method: 'POST', url, handler: (req, reply, params) => this.#handle(req, reply, params.tenant) });
    }
  }

  async #handle(req: FastifyRequest, reply: FastifyReply, pathTenant: string | undefined): Promise<FastifyReply> {
    const written: Written = { samples: 0, histograms: 0, exemplars: 0 };
    let version: 1 | 2 = 1;
    try {
      const tenant = this.#auth.resolve(req, pathTenant);
      version = negotiateRemoteWrite(req.headers['content-type'], req.headers['content-encoding'] as string | undefined);
      const body = bodyBytes(req.body);
      this.#metrics.bytes(body.length);
      if (body.length > this.#config.max_request_bytes) {
        throw new TooLargeError(`body is ${body.length} bytes, over max_request_bytes ${this.#config.max_request_bytes}`);
      }
      const out = new BatchCollector(this.#ctx.series, tenant, this.#config.max_batch_samples);
      // The key builder is shared: decoding is synchronous, so no two requests interleave in it.
      decodeRemoteWrite(body, version, this.#config.max_request_bytes, out, this.#keys);
      this.#metrics.decoded(out.counts);
      await deliver(out.finish(), this.#next, written);
      if (version === 2) writtenHeaders(reply, written);
      this.#metrics.answered(204);
      return reply.code(204).send();
    } catch (err) {
      if (version === 2) writtenHeaders(reply, written);
      return replyError(reply, err, this.#metrics, (e) => this.#ctx.logger.warn({ err: e }, 'remote_write request failed'));
    }
  }
}

function writtenHeaders(reply: FastifyReply, w: Written): void {
  reply.header('X-Prometheus-Remote-Write-Samples-Written', String(w.samples));
  reply.header('X-Prometheus-Remote-Write-Histograms-Written', String(w.histograms));
  reply.header('X-Prometheus-Remote-Write-Exemplars-Written', String(w.exemplars));
}

/** The raw body; the host delivers every body as a Buffer, and an absent body is empty. */
export function bodyBytes(body: unknown): Uint8Array {
  if (body instanceof Uint8Array) return body;
  if (body === undefined || body === null) return new Uint8Array(0);
  if (typeof body === 'string') return Buffer.from(body);
  throw new TypeError('request body was parsed before reaching the source; expected raw bytes');
}
