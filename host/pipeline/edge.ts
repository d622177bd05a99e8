import { batchBytes, type SampleBatch } from '../batch/sample-batch.js';
import { BackpressureError, isRetryable, ShuttingDownError } from '../errors.js';

export type OverflowPolicy = 'block' | 'drop_newest';

export interface EdgeOptions {
  maxSamples: number;
  maxBytes: number;
  overflow: OverflowPolicy;
  /** With `block`: how long a push may wait for room before it fails with BackpressureError. */
  maxBlockMs: number;
  /** Delay before redelivering a batch whose delivery failed with a retryable error. */
  retryBackoffMs: number;
}

export interface EdgeStats {
  queuedSamples: number;
  queuedBytes: number;
  blockedMs: number;
  dropped: Record<'overflow' | 'permanent_error', number>;
  delivered: number;
}

interface Entry {
  batch: SampleBatch;
  bytes: number;
  settle?: { resolve(): void; reject(err: unknown): void };
}

/**
 * The bounded buffer between a pipeline's sources and its processors. One consumer loop delivers
 * batches in order, one at a time. A push resolves when the batch is queued, or with
 * `awaitDelivery` when it has been delivered: sources that acknowledge their senders use that, so
 * a 2xx means the data reached the sinks (and their persistent queues).
 * Failed deliveries are retried while the error is retryable; permanent ones are dropped, counted.
 */
export class Edge {
  readonly name: string;
  #opts: EdgeOptions;
  #deliver: (batch: SampleBatch) => Promise<void>;
  #queue: Entry[] = [];
  #samples = 0;
  #bytes = 0;
  #waiters: (() => void)[] = [];
  #idle: (() => void)[] = [];
  #running = false;
  #closed = false;
  #stats: EdgeStats = { queuedSamples: 0, queuedBytes: 0, blockedMs: 0, dropped: { overflow: 0, permanent_error: 0 }, delivered: 0 };
  onPermanentError: (err: unknown, batch: SampleBatch) => void = () => undefined;

  constructor(name: string, opts: EdgeOptions, deliver: (batch: SampleBatch) => Promise<void>) {
    this.name = name;
    this.#opts = opts;
    this.#deliver = deliver;
  }

  get stats(): EdgeStats {
    return { ...this.#stats, queuedSamples: this.#samples, queuedBytes: this.#bytes, dropped: { ...this.#stats.dropped } };
  }

  async push(batch: SampleBatch, opts: { awaitDelivery?: boolean } = {}): Promise<void> {
    if (this.#closed) throw new ShuttingDownError(`edge ${this.name}`);
    if (batch.length === 0 && !batch.side) return;
    const bytes = batchBytes(batch);
    if (!this.#fits(batch.length, bytes)) {
      if (this.#opts.overflow === 'drop_newest') {
        this.#stats.dropped.overflow += batch.length;
        return;
      }
      await this.#waitForRoom(batch.length, bytes);
    }
    const entry: Entry = { batch, bytes };
    const delivered = opts.awaitDelivery ? new Promise<void>((resolve, reject) => (entry.settle = { resolve, reject })) : undefined;
    this.#queue.push(entry);
    this.#samples += batch.length;
    this.#bytes += bytes;
    void this.#run();
    return delivered;
  }

  /** Resolves when everything queued so far has been delivered or dropped. */
  async drain(): Promise<void> {
    if (this.#queue.length === 0 && !this.#running) return;
    await new Promise<void>((resolve) => this.#idle.push(resolve));
  }

  /** Refuses further pushes; queued batches are still delivered (call drain to wait for them). */
  close(): void {
    this.#closed = true;
    for (const w of this.#waiters.splice(0)) w();
  }

  #fits(samples: number, bytes: number): boolean {
    // An empty edge always takes one batch, however large: a batch bigger than the limit must not stall forever.
    if (this.#queue.length === 0) return true;
    return this.#samples + samples <= this.#opts.maxSamples && this.#bytes + bytes <= this.#opts.maxBytes;
  }

  async #waitForRoom(samples: number, bytes: number): Promise<void> {
    const started = performance.now();
    const deadline = started + this.#opts.maxBlockMs;
    try {
      while (!this.#fits(samples, bytes)) {
        if (this.#closed) throw new ShuttingDownError(`edge ${this.name}`);
        const left = deadline - performance.now();
        if (left <= 0) throw new BackpressureError(`edge ${this.name} is full (${this.#samples} samples, ${this.#bytes} bytes queued)`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, left);
          this.#waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
    } finally {
      this.#stats.blockedMs += performance.now() - started;
    }
  }

  async #run(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      while (this.#queue.length > 0) {
        const entry = this.#queue[0]!;
        const outcome = await this.#deliverOnce(entry.batch);
        if (outcome === 'retry') {
          await sleep(this.#opts.retryBackoffMs);
          continue;
        }
        this.#queue.shift();
        this.#samples -= entry.batch.length;
        this.#bytes -= entry.bytes;
        for (const w of this.#waiters.splice(0)) w();
        if (outcome === 'ok') {
          this.#stats.delivered += entry.batch.length;
          entry.settle?.resolve();
        } else {
          this.#stats.dropped.permanent_error += entry.batch.length;
          entry.settle?.reject(outcome.error);
        }
      }
    } finally {
      this.#running = false;
      for (const i of this.#idle.splice(0)) i();
    }
  }

  async #deliverOnce(batch: SampleBatch): Promise<'ok' | 'retry' | { error: unknown }> {
    try {
      await this.#deliver(batch);
      return 'ok';
    } catch (err) {
      if (isRetryable(err) && !this.#closed) return 'retry';
      this.onPermanentError(err, batch);
      return { error: err };
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
