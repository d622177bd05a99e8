import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { SampleBatch } from '../../host/batch/sample-batch.js';
import { DownstreamError, ShuttingDownError } from '../../host/errors.js';
import type { PluginContext } from '../../host/plugin/context.js';
import { PLUGIN_API_VERSION, type Component, type PluginManifest } from '../../host/plugin/manifest.js';
import { PersistentQueue } from '../../host/queue/persistent-queue.js';
import { loadSnappyCodec } from '../../host/wire/snappy-codec.js';
import { BlockEncoder } from './block-encoder.js';
import { decodeBlock } from './block-format.js';
import { remoteWriteSinkSchema, resolveTargets, type RemoteWriteSinkConfig } from './config.js';
import { redactUrl } from '../../host/wire/http-post.js';
import { sinkMetrics, type SinkMetrics } from './sink-metrics.js';
import { UrlSender } from './url-sender.js';

/**
 * Sends everything it receives to one or more remote_write endpoints. A batch is acknowledged
 * only once its encoded blocks are written to every URL's on-disk queue (and, with `fsync: batch`,
 * forced to disk), so an upstream's 204 stays true through a downstream outage, a restart or a
 * kill -9. Each URL drains its own queue in order, with retries; see url-sender.ts.
 */
const manifest: PluginManifest<RemoteWriteSinkConfig> = {
  kind: 'sink',
  type: 'remote_write',
  api: PLUGIN_API_VERSION,
  stability: 'beta',
  description: 'remote_write 1.0/2.0 to one or more URLs, each through a persistent on-disk queue with retries (like vmagent -remoteWrite.url).',
  config: remoteWriteSinkSchema,
  example: { urls: ['http://127.0.0.1:8428/api/v1/write'] },
  async create(ctx: PluginContext, config: RemoteWriteSinkConfig): Promise<Component> {
    await loadSnappyCodec();
    return new RemoteWriteSink(ctx, config);
  },
};

export default manifest;

interface Route {
  queue: PersistentQueue;
  sender: UrlSender;
}

class RemoteWriteSink implements Component {
  readonly #ctx: PluginContext;
  readonly #config: RemoteWriteSinkConfig;
  readonly #metrics: SinkMetrics;
  readonly #encoder: BlockEncoder;
  #routes: Route[] = [];
  #fsyncTimer: NodeJS.Timeout | undefined;
  /** `released`: queues handed back by snapshot() for the next generation; reopened if this one goes on. */
  #state: 'new' | 'running' | 'released' | 'stopped' = 'new';

  constructor(ctx: PluginContext, config: RemoteWriteSinkConfig) {
    this.#ctx = ctx;
    this.#config = config;
    this.#metrics = sinkMetrics(ctx.metrics);
    this.#encoder = new BlockEncoder(ctx.series, {
      protocol: config.protocol,
      maxSamples: config.max_batch_samples,
      maxBytes: config.max_batch_bytes,
      cacheLimit: config.label_cache_series,
    });
  }

  start(): void {
    if (this.#state !== 'new' && this.#state !== 'released') return;
    const c = this.#config;
    for (const target of resolveTargets(c)) {
      const label = redactUrl(target.url);
      const queue = new PersistentQueue(join(c.tmp_data_path ?? this.#ctx.dataDir, queueDirName(target.url)), {
        segmentBytes: c.queue_segment_size,
        maxBytes: c.max_disk_usage_per_url,
        fsync: c.fsync === 'batch' ? 'always' : 'interval',
        onDrop: (payload) => this.#metrics.samplesDropped.inc({ url: label, reason: 'disk_limit' }, decodeBlock(payload)?.samples ?? 0),
        onCorrupt: (offset, bytes) => {
          this.#metrics.samplesDropped.inc({ url: label, reason: 'corrupt' }, 0);
          this.#ctx.logger.error({ url: label, offset, bytes }, 'skipped a damaged stretch of the on-disk queue');
        },
      });
      if (queue.recovery.truncatedBytes > 0 || queue.recovery.offsetReset) {
        this.#ctx.logger.warn({ url: label, ...queue.recovery }, 'recovered the on-disk queue after an unclean stop');
      }
      const sender = new UrlSender(
        target,
        queue,
        {
          maxBatchSamples: c.max_batch_samples,
          maxBatchBytes: c.max_batch_bytes,
          flushIntervalMs: c.flush_interval,
          concurrency: c.concurrency,
          timeoutMs: c.timeout,
          retryMinMs: c.retry_min_interval,
          retryMaxMs: c.retry_max_interval,
        },
        this.#metrics,
        this.#ctx.logger,
      );
      this.#routes.push({ queue, sender });
      sender.start();
    }
    // Off the event loop: a periodic fsync on a busy disk used to stall every request behind it.
    if (c.fsync === 'interval') this.#fsyncTimer = this.#ctx.timers.setInterval(() => this.#routes.forEach(({ queue }) => queue.syncInBackground()), c.fsync_interval);
    this.#state = 'running';
  }

  consume(batch: SampleBatch): void {
    if (this.#state === 'new' || this.#state === 'released') this.start();
    if (this.#state === 'stopped') throw new ShuttingDownError(this.#ctx.id);
    const blocks = this.#encoder.encode(batch);
    if (blocks.length === 0) return;
    for (const { queue, sender } of this.#routes) {
      let samples = 0;
      try {
        for (const b of blocks) {
          queue.append(b.record);
          samples += b.samples;
          this.#metrics.blocks.inc({ url: sender.label, how: b.forwarded ? 'forwarded' : 'encoded' });
        }
      } catch (err) {
        // A full or failing disk: refuse the batch (retryable) rather than acknowledge what is not stored.
        throw new DownstreamError(`${this.#ctx.id}: cannot write to the queue of ${sender.label}: ${(err as Error).message}`, { retryable: true, cause: err });
      } finally {
        if (samples > 0) sender.appended(samples);
      }
    }
  }

  /** Forces queued data to disk; delivery itself continues in the background, from disk. */
  flush(): void {
    for (const { queue } of this.#routes) queue.sync();
  }

  /**
   * Hot swap: the state is the on-disk queues, and only one owner may hold them, so hand them
   * over: stop the senders (in-flight requests may finish) and close the queues for the next
   * generation to open. Should the swap fail, the next consume() here reopens them.
   */
  async snapshot(): Promise<undefined> {
    if (this.#state === 'running') {
      await this.#closeQueues();
      this.#state = 'released';
    }
    return undefined;
  }

  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    await this.#closeQueues();
    this.#encoder.close();
  }

  async #closeQueues(): Promise<void> {
    if (this.#fsyncTimer) this.#ctx.timers.clear(this.#fsyncTimer);
    this.#fsyncTimer = undefined;
    await Promise.all(this.#routes.map((r) => r.sender.stop()));
    for (const { queue } of this.#routes) queue.close();
    this.#routes = [];
  }
}

/** One folder per URL: readable host and port, plus a hash so distinct URLs never share a queue. */
function queueDirName(url: string): string {
  const u = new URL(url);
  const hash = createHash('sha256').update(url).digest('hex').slice(0, 16);
  return `${u.hostname}_${u.port || (u.protocol === 'https:' ? '443' : '80')}_${hash}`.replace(/[^a-zA-Z0-9_.-]/g, '_');
}
