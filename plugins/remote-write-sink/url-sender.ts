import type { Logger } from 'pino';
import { formatTenant, sameTenant, type Tenant } from '../../host/batch/tenant.js';
import type { PersistentQueue, QueueEntry } from '../../host/queue/persistent-queue.js';
import { backoffMs, postBlock, redactUrl } from '../../host/wire/http-post.js';
import { snappyJoinParts } from '../../host/wire/snappy-concat.js';
import { decodeBlock, type BlockInfo } from './block-format.js';
import type { TargetConfig } from './config.js';
import type { SinkMetrics } from './sink-metrics.js';

export interface SenderOptions {
  maxBatchSamples: number;
  maxBatchBytes: number;
  flushIntervalMs: number;
  concurrency: number;
  timeoutMs: number;
  retryMinMs: number;
  retryMaxMs: number;
}

interface Pending {
  entry: QueueEntry;
  block: BlockInfo;
}

interface Request {
  protocol: 1 | 2;
  tenant: Tenant;
  samples: number;
  /** The snappy body, or the pieces of queued blocks joined without a copy (snappy-concat.ts). */
  body: Uint8Array | Uint8Array[];
}

/** Queue records up to `end` settle when `done`; the queue's read offset moves only over a settled prefix. */
interface Slot {
  end: number;
  done: boolean;
}

/**
 * Drains one URL's persistent queue: `concurrency` workers each take the next run of blocks (one
 * tenant, up to the batch limits; v1 blocks are merged into one request by concatenating their
 * bodies, which protobuf defines as merging the messages), POST it, retry 5xx/429/network errors
 * with backoff until they succeed, and drop (count, log) what a 4xx refuses. The read offset is
 * committed only over a prefix of settled requests, so a crash resends, never skips.
 */
export class UrlSender {
  readonly label: string;
  readonly #target: TargetConfig;
  readonly #queue: PersistentQueue;
  readonly #opts: SenderOptions;
  readonly #metrics: SinkMetrics;
  readonly #logger: Logger;
  readonly #abort = new AbortController();
  readonly #slots: Slot[] = [];
  #carry: Pending | undefined;
  #unreadSamples = 0;
  /** performance.now() of the oldest data not yet taken; -Infinity for data recovered from disk. */
  #oldestUnread: number | undefined;
  #dataWakers = new Set<() => void>();
  #stopWakers = new Set<() => void>();
  #workers: Promise<void>[] = [];
  #stopped = false;

  constructor(target: TargetConfig, queue: PersistentQueue, opts: SenderOptions, metrics: SinkMetrics, logger: Logger) {
    this.#target = target;
    this.#queue = queue;
    this.#opts = opts;
    this.#metrics = metrics;
    this.label = redactUrl(target.url);
    this.#logger = logger.child({ url: this.label });
    if (queue.unreadBytes > 0) this.#oldestUnread = -Infinity;
    this.updateGauges();
  }

  start(): void {
    for (let i = 0; i < this.#opts.concurrency; i++) this.#workers.push(this.#work());
  }

  /** The sink appended blocks holding `samples` samples to the queue. */
  appended(samples: number): void {
    this.#unreadSamples += samples;
    this.#oldestUnread ??= performance.now();
    this.updateGauges();
    this.#wake(false);
  }

  /**
   * Stops sending. Requests in flight get `graceMs` to finish, so what they deliver is committed
   * and not sent again by the next owner of the queue; after that they are abandoned uncommitted,
   * to be resent. Retry waits end at once.
   */
  async stop(graceMs = 5000): Promise<void> {
    this.#stopped = true;
    this.#wake(true);
    const grace = setTimeout(() => this.#abort.abort(), graceMs);
    await Promise.all(this.#workers);
    clearTimeout(grace);
  }

  updateGauges(): void {
    this.#metrics.queueBytes.set({ url: this.label }, this.#queue.diskBytes);
    this.#metrics.pendingBytes.set({ url: this.label }, this.#queue.pendingBytes);
  }

  async #work(): Promise<void> {
    while (!this.#stopped) {
      if (this.#carry === undefined && this.#queue.unreadBytes === 0) {
        await this.#sleep(Infinity, true);
        continue;
      }
      const age = this.#oldestUnread === undefined ? 0 : performance.now() - this.#oldestUnread;
      if (this.#unreadSamples < this.#opts.maxBatchSamples && age < this.#opts.flushIntervalMs) {
        await this.#sleep(this.#opts.flushIntervalMs - age, true);
        continue;
      }
      const slot: Slot = { end: 0, done: false };
      this.#slots.push(slot);
      const request = this.#take(slot);
      if (request && !(await this.#deliver(request))) return;
      slot.done = true;
      this.#commitSettled();
    }
  }

  /** The next request's worth of blocks; records it spans are accounted to `slot`. */
  #take(slot: Slot): Request | undefined {
    const bodies: Uint8Array[] = [];
    let first: BlockInfo | undefined;
    let samples = 0;
    let rawBytes = 0;
    for (;;) {
      const next = this.#carry ?? this.#read();
      this.#carry = undefined;
      if (!next) break;
      const { block, entry } = next;
      const raw = block.rawBytes;
      if (first && (block.protocol === 2 || !sameTenant(block.tenant, first.tenant) || samples + block.samples > this.#opts.maxBatchSamples || rawBytes + raw > this.#opts.maxBatchBytes)) {
        this.#carry = next;
        break;
      }
      first ??= block;
      bodies.push(block.body);
      samples += block.samples;
      rawBytes += raw;
      slot.end = entry.end;
      if (block.protocol === 2) break;
    }
    this.#unreadSamples = Math.max(0, this.#unreadSamples - samples);
    if (this.#carry === undefined && this.#queue.unreadBytes === 0) this.#oldestUnread = undefined;
    if (!first) return undefined;
    const body = bodies.length === 1 ? bodies[0]! : snappyJoinParts(bodies);
    return { protocol: first.protocol, tenant: first.tenant, samples, body };
  }

  /** The next readable block; unreadable records are counted and skipped (their slot covers them). */
  #read(): Pending | undefined {
    for (;;) {
      const entry = this.#queue.next();
      if (!entry) return undefined;
      const block = decodeBlock(entry.payload);
      if (block) return { entry, block };
      this.#metrics.samplesDropped.inc({ url: this.label, reason: 'corrupt' });
      this.#logger.error({ offset: entry.offset }, 'skipping a queue record that is not a block this version can read');
      this.#slots.push({ end: entry.end, done: true });
    }
  }

  /** Sends until delivered or rejected (true), or until stopped (false). */
  async #deliver(req: Request): Promise<boolean> {
    const url = this.#target.url.replaceAll('{tenant}', formatTenant(req.tenant));
    for (let attempt = 0; ; attempt++) {
      if (this.#stopped) return false;
      const started = performance.now();
      const r = await postBlock(url, this.#target.headers, req.protocol, req.body, this.#opts.timeoutMs, this.#abort.signal);
      if (this.#stopped && r.kind === 'retry') return false;
      this.#metrics.sendDuration.observe({ url: this.label }, (performance.now() - started) / 1000);
      this.#metrics.requests.inc({ url: this.label, status: String(r.status) });
      if (r.kind === 'delivered') {
        this.#metrics.samplesSent.inc({ url: this.label }, req.samples);
        return true;
      }
      if (r.kind === 'rejected') {
        this.#metrics.samplesDropped.inc({ url: this.label, reason: 'rejected' }, req.samples);
        this.#logger.error({ status: r.status, samples: req.samples }, `remote_write endpoint refused a request, dropping it: ${r.message}`);
        return true;
      }
      this.#metrics.retries.inc({ url: this.label });
      const wait = Math.min(this.#opts.retryMaxMs, Math.max(r.retryAfterMs ?? 0, backoffMs(attempt, this.#opts.retryMinMs, this.#opts.retryMaxMs)));
      // One line per failure streak and then every tenth attempt: a long outage must not flood the log.
      if (attempt % 10 === 0) this.#logger.warn({ status: r.status, attempt, retryInMs: Math.round(wait) }, `remote_write request failed, retrying: ${r.message}`);
      await this.#sleep(wait, false);
    }
  }

  #commitSettled(): void {
    let end = -1;
    while (this.#slots.length > 0 && this.#slots[0]!.done) end = Math.max(end, this.#slots.shift()!.end);
    if (end >= 0) this.#queue.commit(end);
    this.updateGauges();
  }

  /** Waits `ms`; cut short by stop(), and by new data when `onData` (never a retry backoff). */
  #sleep(ms: number, onData: boolean): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#dataWakers.delete(wake);
        this.#stopWakers.delete(wake);
        resolve();
      };
      const timer = ms === Infinity ? undefined : setTimeout(wake, Math.max(0, ms));
      this.#stopWakers.add(wake);
      if (onData) this.#dataWakers.add(wake);
    });
  }

  #wake(all: boolean): void {
    for (const w of [...(all ? this.#stopWakers : this.#dataWakers)]) w();
  }
}
