import type { FastifyReply } from 'fastify';
import type { SampleBatch } from '../../host/batch/sample-batch.js';
import { BackpressureError, SluiceError, TooLargeError, UnauthorizedError, UnsupportedMediaError } from '../../host/errors.js';
import type { Consumer } from '../../host/plugin/manifest.js';
import { WireError } from '../../host/wire/wire-error.js';
import type { IngestMetrics } from './ingest-metrics.js';

/** What reached the pipeline from one request, for the remote_write 2.0 `*-Written` headers. */
export interface Written {
  samples: number;
  histograms: number;
  exemplars: number;
}

/**
 * Passes a request's batches downstream in order, one at a time, so that an edge that fills up
 * halfway stops the rest (the client retries the request after 503). Adds to `written` as each
 * batch is accepted; a batch is not touched after it was handed over.
 */
export async function deliver(batches: SampleBatch[], next: Consumer, written: Written): Promise<void> {
  for (const batch of batches) {
    const rows = { samples: batch.length, histograms: batch.side?.histograms?.length ?? 0, exemplars: batch.side?.exemplars?.length ?? 0 };
    await next.consume(batch);
    written.samples += rows.samples;
    written.histograms += rows.histograms;
    written.exemplars += rows.exemplars;
  }
}

/**
 * Answers a failed request from its typed error: 4xx with the reason for bad input (never
 * retried by Prometheus), 503 with Retry-After for back-pressure, 5xx for anything unexpected
 * (retried, so nothing is lost). Counts the refusal by reason.
 */
export function replyError(reply: FastifyReply, err: unknown, metrics: IngestMetrics, log: (err: unknown) => void): FastifyReply {
  const status = err instanceof SluiceError ? err.status : 500;
  const reason = decodeErrorReason(err);
  if (reason) metrics.refused(reason);
  metrics.answered(status);
  if (err instanceof BackpressureError) reply.header('Retry-After', String(Math.max(1, Math.ceil(err.retryAfterSeconds))));
  if (err instanceof UnauthorizedError) reply.header('WWW-Authenticate', 'Bearer');
  if (!(err instanceof SluiceError) || status >= 500) log(err);
  const message = err instanceof SluiceError ? err.message : `internal error: ${(err as Error)?.message ?? String(err)}`;
  return reply.code(status).type('text/plain; charset=utf-8').send(`${message}\n`);
}

/** Bodies refused for what they are; auth and back-pressure show in requests_total{code} only. */
function decodeErrorReason(err: unknown): string | undefined {
  if (err instanceof WireError) return err.reason;
  if (err instanceof TooLargeError) return 'too_large';
  if (err instanceof UnsupportedMediaError) return 'media';
  if (err instanceof SluiceError && err.status === 400) return 'bad_request';
  return undefined;
}

/** The raw body; the host delivers every body as a Buffer, and an absent body is empty. */
export function bodyBytes(body: unknown): Uint8Array {
  if (body instanceof Uint8Array) return body;
  if (body === undefined || body === null) return new Uint8Array(0);
  if (typeof body === 'string') return Buffer.from(body);
  throw new TypeError('request body was parsed before reaching the source; expected raw bytes');
}
