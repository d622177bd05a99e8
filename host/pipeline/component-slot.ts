import type { SampleBatch } from '../batch/sample-batch.js';
import type { Component, Consumer, PluginKind } from '../plugin/manifest.js';

/** One running generation of a component, with what tears down its context. */
export interface Generation {
  number: number;
  component: Component;
  teardown(): void | Promise<void>;
}

export type SlotState = 'created' | 'running' | 'stopped' | 'failed';

/**
 * The stable place of a component in the graph. Upstream consumers call the slot, never a
 * generation directly, so a generation can be replaced under a steady stream:
 * close the gate (new batches wait — the upstream edge absorbs them), wait for batches in flight,
 * snapshot, hand the state to the new generation, switch, open the gate, tear down the old one.
 */
export class ComponentSlot implements Consumer {
  readonly id: string;
  readonly kind: PluginKind;
  #current: Generation | undefined;
  #state: SlotState = 'created';
  #inFlight = 0;
  #inFlightDone: (() => void)[] = [];
  #gate: Promise<void> | undefined;
  #stopped = false;
  /** Called for every batch the slot accepts (the host counts them). */
  onConsume: (batch: SampleBatch) => void = () => undefined;

  constructor(id: string, kind: PluginKind, first: Generation) {
    this.id = id;
    this.kind = kind;
    this.#current = first;
  }

  get generation(): number {
    return this.#current?.number ?? 0;
  }

  get state(): SlotState {
    return this.#state;
  }

  async consume(batch: SampleBatch): Promise<void> {
    while (this.#gate) await this.#gate;
    const gen = this.#current;
    if (!gen?.component.consume || this.#stopped) {
      throw new Error(`BUG: ${this.id} received a batch while ${this.#stopped ? 'stopped' : 'it consumes nothing'}`);
    }
    this.onConsume(batch);
    this.#inFlight++;
    try {
      await gen.component.consume(batch);
    } finally {
      if (--this.#inFlight === 0) for (const done of this.#inFlightDone.splice(0)) done();
    }
  }

  async start(): Promise<void> {
    await this.#current?.component.start?.();
    this.#state = 'running';
  }

  /**
   * Replaces the running generation. `make` builds the next one (already validated); if it, or
   * restoring state into it, fails, the old generation keeps running and the error is rethrown.
   */
  async swap(make: () => Promise<Generation>): Promise<void> {
    let release!: () => void;
    while (this.#gate) await this.#gate;
    this.#gate = new Promise<void>((resolve) => (release = resolve));
    const old = this.#current!;
    try {
      // Sources produce rather than consume: start the new one first so their routes never 404.
      if (this.kind !== 'source') await this.#quiesce();
      const state = await old.component.snapshot?.();
      const next = await make();
      try {
        if (state !== undefined) await next.component.restore?.(state);
        await next.component.start?.();
      } catch (err) {
        await next.teardown();
        throw err;
      }
      this.#current = next;
      if (this.kind === 'source') await this.#quiesce();
      await old.component.stop?.();
      await old.teardown();
    } finally {
      this.#gate = undefined;
      release();
    }
  }

  /** Flushes and stops the current generation; idempotent. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    while (this.#gate) await this.#gate;
    this.#stopped = true;
    await this.#quiesce();
    const gen = this.#current;
    if (!gen) return;
    try {
      if (this.#state === 'running') await gen.component.flush?.();
      await gen.component.stop?.();
    } finally {
      await gen.teardown();
      this.#state = 'stopped';
    }
  }

  /** The current generation's component, for snapshots and config updates. */
  get component(): Component | undefined {
    return this.#current?.component;
  }

  #quiesce(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#inFlightDone.push(resolve));
  }
}
