import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { PluginContext } from '../../host/plugin/context.js';
import { PLUGIN_API_VERSION, type Component, type Consumer, type PluginManifest } from '../../host/plugin/manifest.js';
import { ingestExposition } from '../../host/wire/text-ingest.js';
import { WireError } from '../../host/wire/wire-error.js';
import { ingestFields } from '../remote-write-source/ingest-config.js';
import { IngestSource, type RequestDecoder } from '../remote-write-source/ingest-source.js';
import { decodeBody, defaultTimestamp, extraLabels, isOpenMetrics } from './request-options.js';

const schema = z.strictObject({ ...ingestFields });

export type ImportSourceConfig = z.output<typeof schema>;

export const IMPORT_PATHS = ['/api/v1/import/prometheus', '/insert/:tenant/prometheus/api/v1/import/prometheus'];

const manifest: PluginManifest<ImportSourceConfig> = {
  kind: 'source',
  type: 'import',
  api: PLUGIN_API_VERSION,
  stability: 'beta',
  description: 'Prometheus text exposition / OpenMetrics pushed over HTTP, as VictoriaMetrics /api/v1/import/prometheus takes it.',
  config: schema,
  example: {},
  create(ctx: PluginContext, config: ImportSourceConfig, next: Consumer): Component {
    return new ImportSource(ctx, config, next);
  },
};

export default manifest;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Receives text exposition bodies (optionally gzipped) with `extra_label` and `timestamp` query
 * args. Like remote_write, a body is parsed in full before any of it goes downstream: a malformed
 * line refuses the whole body with 400 and its line number.
 */
class ImportSource extends IngestSource {
  constructor(ctx: PluginContext, config: ImportSourceConfig, next: Consumer) {
    super(ctx, config, next, IMPORT_PATHS, 'line');
  }

  protected decoderFor(req: FastifyRequest): RequestDecoder {
    const query = new URLSearchParams(req.url.split('?')[1] ?? '');
    const openMetrics = isOpenMetrics(req.headers['content-type']);
    const encoding = req.headers['content-encoding'] as string | undefined;
    const opts = { openMetrics, extraLabels: extraLabels(query), defaultTs: defaultTimestamp(query, this.ctx.clock.now()) };
    return {
      reportWritten: false,
      decode: (body, out) => {
        const raw = decodeBody(body, encoding, this.config.max_request_bytes);
        let text: string;
        try {
          text = utf8.decode(raw);
        } catch (err) {
          throw new WireError('text', 'body is not valid UTF-8', err);
        }
        ingestExposition(text, opts, out, this.keys);
      },
    };
  }
}
