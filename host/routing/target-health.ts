import type { Clock } from '../plugin/context.js';

/**
 * Up/down state of a route's targets. A target that fails is skipped for a back-off period that
 * doubles on each consecutive failure (capped); once it has passed, the next batch probes it, and
 * success brings it back. `version` changes whenever the set of usable targets may have changed,
 * so callers can drop assignments they cached.
 */
export class TargetHealth {
  readonly #clock: Clock;
  readonly #baseMs: number;
  readonly #maxMs: number;
  readonly #downUntil: Float64Array;
  readonly #failures: Uint32Array;
  /** Targets that report themselves unhealthy (TargetConsumer.healthy). */
  readonly #reportedDown: Uint8Array;
  #version = 0;
  #lastUsable: Uint8Array;

  constructor(count: number, clock: Clock, opts: { backoffMs: number; maxBackoffMs: number }) {
    this.#clock = clock;
    this.#baseMs = opts.backoffMs;
    this.#maxMs = Math.max(opts.maxBackoffMs, opts.backoffMs);
    this.#downUntil = new Float64Array(count);
    this.#failures = new Uint32Array(count);
    this.#reportedDown = new Uint8Array(count);
    this.#lastUsable = new Uint8Array(count).fill(1);
  }

  get version(): number {
    return this.#version;
  }

  /** Whether target `i` may be sent to now. */
  usable(i: number): boolean {
    return this.#reportedDown[i] === 0 && this.#downUntil[i]! <= this.#clock.now();
  }

  /** Re-reads the clock and the targets' own reports; bumps `version` when usability changed. */
  refresh(reports: readonly (boolean | undefined)[]): void {
    let changed = false;
    for (let i = 0; i < this.#lastUsable.length; i++) {
      this.#reportedDown[i] = reports[i] === false ? 1 : 0;
      const now = this.usable(i) ? 1 : 0;
      if (now !== this.#lastUsable[i]) {
        this.#lastUsable[i] = now;
        changed = true;
      }
    }
    if (changed) this.#version++;
  }

  /** A retryable failure: skip the target for its current back-off. */
  failed(i: number): void {
    const n = this.#failures[i]!;
    this.#failures[i] = n + 1;
    const backoff = Math.min(this.#maxMs, this.#baseMs * 2 ** Math.min(n, 30));
    this.#downUntil[i] = this.#clock.now() + backoff;
    this.#lastUsable[i] = 0;
    this.#version++;
  }

  /** An accepted batch: the back-off starts from scratch next time. */
  succeeded(i: number): void {
    this.#failures[i] = 0;
  }

  /** Number of targets usable now. */
  usableCount(): number {
    let n = 0;
    for (let i = 0; i < this.#lastUsable.length; i++) if (this.usable(i)) n++;
    return n;
  }
}
