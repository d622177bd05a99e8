import type { FastifyReply, FastifyRequest } from 'fastify';
import { withWireForm } from '../../host/batch/sample-batch.js';
import type { Tenant } from '../../host/batch/tenant.js';
import { TooLargeError } from '../../host/errors.js';
import type { PluginContext } from '../../host/plugin/context.js';
import type { Component, Consumer } from '../../host/plugin/manifest.js';
import { BatchCollector } from '../../host/wire/batch-collector.js';
import { SeriesKeyBuilder } from '../../host/wire/series-key-builder.js';
import { labelLimits, type IngestConfig } from './ingest-config.js';
import { IngestMetrics } from './ingest-metrics.js';
import { bodyBytes, deliver, replyError, type Written } from './ingest-reply.js';
import { TenantAuth, type TenantsConfig } from './tenant-auth.js';

/** How one request's body is decoded, chosen from its headers before the body is looked at. */
export interface RequestDecoder {
  /** Fills `out` from the body as sent, for `tenant`; throws typed errors (400/413/415). */
  decode(body: Uint8Array, out: BatchCollector, tenant: Tenant): void;
  /** Answer with the remote_write 2.0 `X-Prometheus-Remote-Write-*-Written` headers. */
  reportWritten: boolean;
  /**
   * The body is a remote_write request of this protocol, which a request decoded into a single
   * batch carries as the batch's wire form (SampleBatch.wire), so a sink may forward it as it is.
   */
  wireProtocol?: 1;
}

/**
 * The request flow both HTTP ingest sources share: tenant, size limit, decode the whole body,
 * deliver batch by batch, answer 204 or the typed error. Subclasses only choose the decoder.
 */
export abstract class IngestSource implements Component {
  protected readonly ctx: PluginContext;
  protected readonly config: IngestConfig & { tenants: TenantsConfig };
  protected readonly keys: SeriesKeyBuilder;
  readonly #next: Consumer;
  readonly #paths: readonly string[];
  readonly #auth: TenantAuth;
  readonly #metrics: IngestMetrics;

  constructor(ctx: PluginContext, config: IngestConfig & { tenants: TenantsConfig }, next: Consumer, paths: readonly string[], keyUnit: 'series' | 'line') {
    this.ctx = ctx;
    this.config = config;
    this.#next = next;
    this.#paths = paths;
    this.#auth = new TenantAuth(config.tenants);
    this.#metrics = new IngestMetrics(ctx);
    // One key builder per source is enough: decoding is synchronous, so requests never interleave in it.
    // Series keys are resolved a request at a time, so their label checks can wait for the index
    // to say which series are new; text lines are resolved one by one and checked as they are read.
    this.keys = new SeriesKeyBuilder(labelLimits(config), keyUnit, { deferChecks: keyUnit === 'series' });
  }

  start(): void {
    for (const url of this.#paths) {
      this.ctx.http.route({ method: 'POST', url, handler: (req, reply, params) => this.#handle(req, reply, params.tenant) });
    }
  }

  protected abstract decoderFor(req: FastifyRequest): RequestDecoder;

  async #handle(req: FastifyRequest, reply: FastifyReply, pathTenant: string | undefined): Promise<FastifyReply> {
    const written: Written = { samples: 0, histograms: 0, exemplars: 0 };
    let decoder: RequestDecoder | undefined;
    try {
      const tenant = this.#auth.resolve(req, pathTenant);
      decoder = this.decoderFor(req);
      const body = bodyBytes(req.body);
      this.#metrics.bytes(body.length);
      const max = this.config.max_request_bytes;
      if (body.length > max) throw new TooLargeError(`body is ${body.length} bytes, over max_request_bytes ${max}`);
      const out = new BatchCollector(this.ctx.series, tenant, this.config.max_batch_samples);
      decoder.decode(body, out, tenant);
      this.#metrics.decoded(out.counts);
      const batches = out.finish();
      // A request split into several batches is more than any one of them.
      if (decoder.wireProtocol && batches.length === 1) batches[0] = withWireForm(batches[0]!, { protocol: decoder.wireProtocol, body });
      await deliver(batches, this.#next, written);
      if (decoder.reportWritten) writtenHeaders(reply, written);
      this.#metrics.answered(204);
      return reply.code(204).send();
    } catch (err) {
      if (decoder?.reportWritten) writtenHeaders(reply, written);
      return replyError(reply, err, this.#metrics, (e) => this.ctx.logger.warn({ err: e }, `${this.ctx.id}: request failed`));
    }
  }
}

function writtenHeaders(reply: FastifyReply, w: Written): void {
  reply.header('X-Prometheus-Remote-Write-Samples-Written', String(w.samples));
  reply.header('X-Prometheus-Remote-Write-Histograms-Written', String(w.histograms));
  reply.header('X-Prometheus-Remote-Write-Exemplars-Written', String(w.exemplars));
}
