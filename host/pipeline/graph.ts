import type { SampleBatch } from '../batch/sample-batch.js';
import type { PipelineConfig } from '../config/config-schema.js';
import type { ComponentSpec, ValidConfig } from '../config/validate-config.js';
import type { HostServices } from '../plugin/create-context.js';
import type { Consumer } from '../plugin/manifest.js';
import type { HostMetrics } from '../telemetry/host-metrics.js';
import { ComponentSlot, type Generation } from './component-slot.js';
import { Edge } from './edge.js';

export interface Pipeline {
  name: string;
  config: PipelineConfig;
  edge: Edge;
}

/**
 * The running components and the pipelines that connect them. Built downstream first (sinks,
 * then processors from the last, then sources) so every component's `next` exists when it is
 * created; started in the same order and stopped in the opposite one.
 */
export class Graph {
  readonly slots = new Map<string, ComponentSlot>();
  readonly specs = new Map<string, ComponentSpec>();
  readonly pipelines = new Map<string, Pipeline>();
  /** What each component was given as `next`, kept so a new generation gets the same. */
  readonly nexts = new Map<string, Consumer>();
  #services: HostServices;
  #metrics: HostMetrics;

  private constructor(services: HostServices, metrics: HostMetrics) {
    this.#services = services;
    this.#metrics = metrics;
  }

  static async build(valid: ValidConfig, services: HostServices, metrics: HostMetrics): Promise<Graph> {
    const g = new Graph(services, metrics);
    const { config, components } = valid;
    const used = new Set(Object.values(config.pipelines).flatMap((p) => [...p.sources, ...p.processors, ...p.sinks]));
    try {
      for (const spec of components.values()) if (spec.kind === 'sink' && used.has(spec.id)) await g.#create(spec, DISCARD);
      for (const [name, p] of Object.entries(config.pipelines)) {
        let next: Consumer = g.#fanOut(p.sinks);
        for (const id of [...p.processors].reverse()) {
          await g.#create(components.get(id)!, next);
          next = g.slots.get(id)!;
        }
        const head = next;
        const edge = new Edge(
          name,
          { maxSamples: p.edge.max_samples, maxBytes: p.edge.max_bytes, overflow: p.edge.overflow, maxBlockMs: p.edge.max_block, retryBackoffMs: p.edge.retry_backoff },
          (batch) => head.consume(batch),
        );
        edge.onPermanentError = (err, batch) => {
          metrics.dropped.inc({ pipeline: name, reason: 'permanent_error' }, batch.length);
          services.logger.warn({ pipeline: name, err: (err as Error).message, samples: batch.length }, 'dropped a batch a component refused permanently');
        };
        g.pipelines.set(name, { name, config: p, edge });
      }
      for (const spec of components.values()) {
        if (spec.kind !== 'source' || !used.has(spec.id)) continue;
        const feeds = [...g.pipelines.values()].filter((p) => p.config.sources.includes(spec.id));
        await g.#create(spec, g.#sourceOutput(feeds));
      }
      for (const spec of components.values()) if (spec.kind === 'query') await g.#create(spec, DISCARD);
    } catch (err) {
      await g.stop(5_000).catch(() => undefined);
      throw err;
    }
    return g;
  }

  async start(): Promise<void> {
    for (const kind of ['sink', 'processor', 'query', 'source'] as const) {
      for (const slot of this.slots.values()) {
        if (slot.kind !== kind) continue;
        await slot.start();
        this.#metrics.componentUp.set({ component: slot.id }, 1);
      }
    }
  }

  /**
   * Sources first (no new input), then each pipeline's buffer drains through its processors,
   * processors flush in order (an aggregator's last interval reaches the sinks), sinks last.
   * Each step gets what is left of the deadline; a component that overruns it is abandoned.
   */
  async stop(deadlineMs: number): Promise<void> {
    const deadline = Date.now() + deadlineMs;
    const within = <T>(p: Promise<T>) => withDeadline(p, deadline);
    const stopKind = async (kind: string, ids: string[]) => {
      for (const id of ids) {
        const slot = this.slots.get(id);
        if (!slot || slot.kind !== kind) continue;
        await within(slot.stop()).catch((err: Error) => this.#services.logger.error({ component: id, err: err.message }, 'component did not stop cleanly'));
        this.#metrics.componentUp.set({ component: id }, 0);
      }
    };
    const order = [...this.slots.keys()];
    await stopKind('source', order);
    for (const p of this.pipelines.values()) p.edge.close();
    await within(Promise.all([...this.pipelines.values()].map((p) => p.edge.drain()))).catch(() => undefined);
    for (const p of this.pipelines.values()) await stopKind('processor', p.config.processors);
    await stopKind('query', order);
    await stopKind('sink', order);
  }

  /** Replaces a component's running generation with one built by `make` (hot swap, reload). */
  async swap(id: string, spec: ComponentSpec): Promise<void> {
    const slot = this.slots.get(id);
    if (!slot) throw new Error(`BUG: no component ${id} to swap`);
    const next = this.nexts.get(id)!;
    const generation = slot.generation + 1;
    try {
      await slot.swap(() => spec.pluginType.instantiate(this.#services, id, generation, spec.config, next));
      this.specs.set(id, spec);
      this.#metrics.generation.set({ component: id }, generation);
      this.#metrics.pluginReloads.inc({ component: id, result: 'success' });
    } catch (err) {
      this.#metrics.pluginReloads.inc({ component: id, result: 'failure' });
      throw err;
    }
  }

  /** Swaps a processor for a pass-through (its plugin was removed); nothing is lost. */
  async bypass(id: string): Promise<void> {
    const slot = this.slots.get(id)!;
    const next = this.nexts.get(id)!;
    await slot.swap(async () => ({ number: slot.generation + 1, component: { consume: (b: SampleBatch) => next.consume(b) }, teardown: () => undefined }));
  }

  async #create(spec: ComponentSpec, next: Consumer): Promise<void> {
    const counted = this.#countingOutput(spec.id, next);
    const gen: Generation = await spec.pluginType.instantiate(this.#services, spec.id, 1, spec.config, counted);
    const slot = new ComponentSlot(spec.id, spec.kind, gen);
    slot.onConsume = (batch) => {
      this.#metrics.batches.inc({ component: spec.id, direction: 'in' });
      this.#metrics.samples.inc({ component: spec.id, direction: 'in' }, batch.length);
    };
    this.slots.set(spec.id, slot);
    this.specs.set(spec.id, spec);
    this.nexts.set(spec.id, counted);
    this.#metrics.generation.set({ component: spec.id }, 1);
  }

  #countingOutput(id: string, next: Consumer): Consumer {
    const m = this.#metrics;
    return {
      consume(batch) {
        m.batches.inc({ component: id, direction: 'out' });
        m.samples.inc({ component: id, direction: 'out' }, batch.length);
        return next.consume(batch);
      },
    };
  }

  #fanOut(sinkIds: string[]): Consumer {
    const sinks = sinkIds.map((id) => this.slots.get(id)!);
    if (sinks.length === 0) return DISCARD;
    if (sinks.length === 1) return sinks[0]!;
    return { consume: async (batch) => void (await Promise.all(sinks.map((s) => s.consume(batch)))) };
  }

  #sourceOutput(feeds: Pipeline[]): Consumer {
    return {
      consume: async (batch) => {
        await Promise.all(feeds.map((p) => p.edge.push(batch, { awaitDelivery: p.config.edge.ack === 'delivered' })));
      },
    };
  }
}

const DISCARD: Consumer = { consume: async () => undefined };

function withDeadline<T>(p: Promise<T>, deadline: number): Promise<T> {
  const left = deadline - Date.now();
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('shutdown deadline passed')), Math.max(0, left));
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e) => (clearTimeout(t), reject(e)),
    );
  });
}
