import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { byteSize } from '../../host/config/schema.js';
import type { PluginContext } from '../../host/plugin/context.js';
import { PLUGIN_API_VERSION, type Component, type Consumer, type PluginManifest } from '../../host/plugin/manifest.js';
import { KernelDecoderV1 } from '../../host/wire/kernel-decode-v1.js';
import { decodeRemoteWrite, negotiateRemoteWrite, type Decompress } from '../../host/wire/remote-write-request.js';
import { snappyDecompress } from '../../host/wire/snappy.js';
import { WasmSnappy } from '../../host/wire/snappy-wasm.js';
import { ingestFields, labelLimits } from './ingest-config.js';
import { IngestSource, type RequestDecoder } from './ingest-source.js';

const schema = z.strictObject({
  ...ingestFields,
  wire_label_cache_bytes: byteSize(
    'Labels of series kept exactly as remote_write 1.0 senders encode them (about 250 bytes a series), so a known series arriving in its usual order is resolved by one comparison instead of being decoded and looked up; 0 turns it off.',
    '256MiB',
  ),
});

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
class RemoteWriteSource extends IngestSource {
  /** The snappy kernel once loaded; the TypeScript decompressor (its reference) until then. */
  #decompress: Decompress = snappyDecompress;
  /**
   * 1.0 bodies are decoded inside the series index's kernel when the index has one (not in a
   * drop-in's worker, whose index is a proxy): decompression, walk and lookups in one call.
   */
  readonly #kernelV1: KernelDecoderV1 | undefined;

  constructor(ctx: PluginContext, config: RemoteWriteSourceConfig, next: Consumer) {
    super(ctx, config, next, REMOTE_WRITE_PATHS, 'series');
    const kernel = ctx.series.kernel;
    this.#kernelV1 = kernel ? ctx.kernels.timed(new KernelDecoderV1(kernel, this.keys, labelLimits(config), config.wire_label_cache_bytes), 'series_index@wasm', ['decodeWriteRequest']) : undefined;
  }

  override async start(): Promise<void> {
    try {
      const kernel = await WasmSnappy.create();
      this.#decompress = (body, max) => kernel.decompress(body, max);
    } catch (err) {
      // Slower, not wrong: the reference decompresses the same bodies at about a third the speed.
      this.ctx.logger.warn({ err }, 'snappy kernel unavailable; using the TypeScript decompressor');
    }
    super.start();
  }

  protected decoderFor(req: FastifyRequest): RequestDecoder {
    const version = negotiateRemoteWrite(req.headers['content-type'], req.headers['content-encoding'] as string | undefined);
    const kernel = this.#kernelV1;
    if (version === 1 && kernel) return { reportWritten: false, wireProtocol: 1, decode: (body, out, tenant) => kernel.decodeWriteRequest(body, this.config.max_request_bytes, tenant, out) };
    return {
      reportWritten: version === 2,
      ...(version === 1 ? { wireProtocol: 1 as const } : {}),
      decode: (body, out) => decodeRemoteWrite(body, version, this.config.max_request_bytes, out, this.keys, this.#decompress),
    };
  }
}
