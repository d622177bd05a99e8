import { z } from 'zod';
import { hasSideRows, type SampleBatch } from '../batch/sample-batch.js';
import { formatTenant } from '../batch/tenant.js';
import { duration, toConfigIssues } from '../config/schema.js';
import { ConfigError, DownstreamError } from '../errors.js';
import { growToFit, onIndexDelete } from '../relabel/ref-keyed.js';
import type { SeriesIndex } from '../series/series-index.js';
import { writeSideV1 } from '../wire/encode-side.js';
import { encodeLabelsV1, writeRequestV1 } from '../wire/encode-v1.js';
import { compressSnappy } from '../wire/snappy-codec.js';
import { ProtoWriter } from '../wire/encode-writer.js';
import { postBlock } from '../wire/http-post.js';
import type { RouteTarget, TargetConsumer, TargetEnv } from './targets.js';

const optionsSchema = z.strictObject({
  timeout: duration('How long one POST may take before the target counts as failed.', '10s'),
  headers: z.record(z.string(), z.string()).default({}).describe('Extra HTTP headers, e.g. Authorization.'),
});

/**
 * The built-in `remote_write` route target: POSTs each share straight to the node as remote_write
 * 1.0 and resolves only when the node answered 2xx, so an acknowledged batch is on the node. A
 * 5xx, 429 or network error rejects with a retryable DownstreamError: the route marks the node
 * down and fails its series over at once. Another 4xx rejects permanently. There is no queue
 * here: durability across a restart is the job of what sits before the route (the client retries
 * a 503) or of remote_write sinks as targets. `{tenant}` in the URL becomes `account:project`, as
 * VictoriaMetrics cluster paths want.
 */
export class RemoteWriteTarget implements TargetConsumer {
  readonly #url: string;
  readonly #timeoutMs: number;
  readonly #headers: Record<string, string>;
  readonly #series: SeriesIndex;
  readonly #signal: AbortSignal;
  /** Label bytes per ref, encoded on first use. */
  #labels: (Uint8Array | undefined)[] = [];
  #known = new Uint8Array(1024);
  readonly #unsubscribe: () => void;

  constructor(target: RouteTarget, env: TargetEnv) {
    if (!target.url) throw new ConfigError([{ path: `targets.${target.name}.url`, message: 'a remote_write target needs a url' }]);
    const parsed = optionsSchema.safeParse(target.options);
    if (!parsed.success) throw new ConfigError(toConfigIssues(parsed.error, `targets.${target.name}.options`));
    this.#url = target.url;
    this.#timeoutMs = parsed.data.timeout;
    this.#headers = parsed.data.headers;
    this.#series = env.series;
    this.#signal = env.signal ?? new AbortController().signal;
    this.#unsubscribe = onIndexDelete(env.series, (ref) => this.forget(ref));
  }

  async consume(batch: SampleBatch): Promise<void> {
    if (batch.length === 0 && !hasSideRows(batch)) return;
    // A share that is the whole request as received goes as received.
    const body = batch.wire?.protocol === 1 ? batch.wire.body : this.#encode(batch);
    const url = this.#url.replaceAll('{tenant}', formatTenant(batch.tenant));
    const outcome = await postBlock(url, this.#headers, 1, body, this.#timeoutMs, this.#signal);
    if (outcome.kind === 'delivered') return;
    throw new DownstreamError(`remote_write to ${url}: ${outcome.message}`, { retryable: outcome.kind === 'retry' });
  }

  /** The batch as remote_write 1.0, histograms, exemplars and metadata included. */
  #encode(batch: SampleBatch): Uint8Array {
    const w = new ProtoWriter(batch.length * 64 + 1024);
    const labelBytes = (ref: number) => this.#labelBytes(ref);
    writeRequestV1(w, batch, 0, batch.length, labelBytes);
    writeSideV1(w, batch.side, labelBytes, (pairs) => encodeLabelsV1(pairs.map(([name, value]) => ({ name, value }))));
    return compressSnappy(w.view());
  }

  #labelBytes(ref: number): Uint8Array {
    if (ref < this.#known.length && this.#known[ref]) return this.#labels[ref]!;
    const bytes = encodeLabelsV1(this.#series.labels(ref));
    this.#known = growToFit(this.#known, ref);
    this.#known[ref] = 1;
    this.#labels[ref] = bytes;
    return bytes;
  }

  /** A deleted ref may come back as another series. */
  forget(ref: number): void {
    if (ref < this.#known.length) this.#known[ref] = 0;
  }

  close(): void {
    this.#unsubscribe();
  }
}
