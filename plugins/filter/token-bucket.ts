/**
 * A token bucket: `rate` tokens per second up to `burst`. Samples take one token each; refill is
 * computed from the clock on use, so an idle tenant costs nothing.
 */
export class TokenBucket {
  readonly #rate: number;
  readonly #burst: number;
  #tokens: number;
  #at: number;

  constructor(rate: number, burst: number, now: number) {
    this.#rate = rate;
    this.#burst = burst;
    this.#tokens = burst;
    this.#at = now;
  }

  /** Tokens left and when, for the next generation. */
  snapshot(): { tokens: number; at: number } {
    return { tokens: this.#tokens, at: this.#at };
  }

  restore(state: { tokens: number; at: number }): void {
    this.#tokens = Math.min(this.#burst, state.tokens);
    this.#at = state.at;
  }

  /** Takes up to `want` tokens at time `now` (ms) and returns how many it got. */
  take(want: number, now: number): number {
    this.#refill(now);
    const got = Math.min(want, Math.floor(this.#tokens));
    this.#tokens -= got;
    return got;
  }

  /** Takes `want` tokens only if all are there. */
  takeAll(want: number, now: number): boolean {
    this.#refill(now);
    if (this.#tokens < want) return false;
    this.#tokens -= want;
    return true;
  }

  #refill(now: number): void {
    if (now <= this.#at) return;
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#at) / 1000) * this.#rate);
    this.#at = now;
  }
}
