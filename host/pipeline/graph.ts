import type { SampleBatch } from '../batch/sample-batch.js';
import type { PipelineConfig } from '../config/config-schema.js';
import type { ComponentSpec, ValidConfig } from '../config/validate-config.js';
import type { HostServices } from '../plugin/create-context.js';
import type { Consumer, PluginKind } from '../plugin/manifest.js';
import type { HostMetrics } from '../telemetry/host-metrics.js';
import { ComponentSlot } from './component-slot.js';
import { Edge } from './edge.js';
import { Redirect } from './redirect.js';

export interface Pipeline {
  name: string;
  config: PipelineConfig;
  edge: Edge;
  /** Where the edge delivers: the first processor, or the sinks. */
  head: Redirect;
}

const START_ORDER: PluginKind[] = ['sink', 'processor', 'query', 'source'];

/**
 * The running components and the pipelines that connect them. Every component's output and
 * every pipeline's head is a Redirect, so `apply` can rewire a running graph: new components are
 * created and started downstream first (sinks, processors, sources), outputs are repointed, and
 * what the new config no longer uses is stopped upstream first, its buffers drained.
 */
export class Graph {
  readonly slots = new Map<string, ComponentSlot>();
  readonly specs = new Map<string, ComponentSpec>();
  readonly pipelines = new Map<string, Pipeline>();
  /** What each component was given as `next`; kept so a new generation gets the same. */
  readonly nexts = new Map<string, Consumer>();
  #outputs = new Map<string, Redirect>();
  #services: HostServices;
  #metrics: HostMetrics;

  constructor(services: HostServices, metrics: HostMetrics) {
    this.#services = services;
    this.#metrics = metrics;
  }

  /** Makes the running graph what `valid` describes; on a failure to create, nothing is stopped. */
  async apply(valid: ValidConfig): Promise<void> {
    const { config, components } = valid;
    const used = new Set(Object.values(config.pipelines).flatMap((p) => [...p.sources, ...p.processors, ...p.sinks]));
    for (const spec of components.values()) if (spec.kind === 'query') used.add(spec.id);
    const removed = [...this.slots.keys()].filter((id) => !used.has(id));
    // The same id with another type is a different component: the old one goes first, so the
    // new one can take over its routes and data directory.
    const retyped = [...this.slots.keys()].filter((id) => used.has(id) && this.specs.get(id)!.kind + this.specs.get(id)!.type !== components.get(id)!.kind + components.get(id)!.type);
    await this.#stopComponents(retyped, [], Date.now() + 30_000);
    for (const id of retyped) this.#forget(id);

    const created: ComponentSlot[] = [];
    try {
      for (const kind of START_ORDER) {
        for (const id of used) {
          const spec = components.get(id)!;
          if (spec.kind === kind && !this.slots.has(id)) created.push(await this.#create(spec));
        }
      }
    } catch (err) {
      for (const slot of created) {
        await slot.stop().catch(() => undefined);
        this.#forget(slot.id);
      }
      throw err;
    }

    const oldPipelines = new Map(this.pipelines);
    for (const [name, p] of Object.entries(config.pipelines)) this.#wirePipeline(name, p, oldPipelines.get(name));
    for (const id of used) {
      const spec = components.get(id)!;
      if (spec.kind !== 'source') continue;
      const feeds = [...this.pipelines.values()].filter((p) => p.config.sources.includes(id));
      this.#outputs.get(id)!.target = this.#sourceOutput(feeds);
    }

    for (const slot of created) {
      await slot.start();
      this.#metrics.componentUp.set({ component: slot.id }, 1);
    }
    const gone = [...oldPipelines.keys()].filter((name) => !(name in config.pipelines));
    await this.#stopComponents(removed, gone, Date.now() + 30_000);
    for (const id of removed) this.#forget(id);
    for (const name of gone) this.pipelines.delete(name);
  }

  /**
   * Sources first (no new input), then each pipeline's buffer drains through its processors,
   * processors flush in order (an aggregator's last interval reaches the sinks), sinks last.
   * Each step gets what is left of the deadline; a component that overruns it is abandoned.
   */
  async stop(deadlineMs: number): Promise<void> {
    await this.#stopComponents([...this.slots.keys()], [...this.pipelines.keys()], Date.now() + deadlineMs);
  }

  /** Replaces a component's running generation (hot swap, reload). */
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

  async #create(spec: ComponentSpec): Promise<ComponentSlot> {
    const output = new Redirect();
    const counted = this.#countingOutput(spec.id, output);
    const gen = await spec.pluginType.instantiate(this.#services, spec.id, 1, spec.config, counted);
    const slot = new ComponentSlot(spec.id, spec.kind, gen);
    slot.onConsume = (batch) => {
      this.#metrics.batches.inc({ component: spec.id, direction: 'in' });
      this.#metrics.samples.inc({ component: spec.id, direction: 'in' }, batch.length);
    };
    this.slots.set(spec.id, slot);
    this.specs.set(spec.id, spec);
    this.nexts.set(spec.id, counted);
    this.#outputs.set(spec.id, output);
    this.#metrics.generation.set({ component: spec.id }, 1);
    return slot;
  }

  #wirePipeline(name: string, p: PipelineConfig, existing: Pipeline | undefined): void {
    let next = this.#fanOut(p.sinks);
    for (const id of [...p.processors].reverse()) {
      this.#outputs.get(id)!.target = next;
      next = this.slots.get(id)!;
    }
    if (existing) {
      existing.head.target = next;
      existing.config = p;
      return;
    }
    const head = new Redirect(next);
    const edge = new Edge(
      name,
      { maxSamples: p.edge.max_samples, maxBytes: p.edge.max_bytes, overflow: p.edge.overflow, maxBlockMs: p.edge.max_block, retryBackoffMs: p.edge.retry_backoff },
      (batch) => head.consume(batch),
    );
    edge.onPermanentError = (err, batch) => {
      this.#metrics.dropped.inc({ pipeline: name, reason: 'permanent_error' }, batch.length);
      this.#services.logger.warn({ pipeline: name, err: (err as Error).message, samples: batch.length }, 'dropped a batch a component refused permanently');
    };
    this.pipelines.set(name, { name, config: p, edge, head });
  }

  #forget(id: string): void {
    this.slots.delete(id);
    this.specs.delete(id);
    this.nexts.delete(id);
    this.#outputs.delete(id);
  }

  async #stopComponents(ids: string[], pipelines: string[], deadline: number): Promise<void> {
    const within = <T>(p: Promise<T>) => withDeadline(p, deadline);
    const stopKind = async (kind: PluginKind) => {
      for (const id of ids) {
        const slot = this.slots.get(id);
        if (!slot || slot.kind !== kind) continue;
        await within(slot.stop()).catch((err: Error) => this.#services.logger.error({ component: id, err: err.message }, 'component did not stop cleanly'));
        this.#metrics.componentUp.set({ component: id }, 0);
      }
    };
    await stopKind('source');
    const edges = pipelines.map((name) => this.pipelines.get(name)!.edge);
    for (const edge of edges) edge.close();
    await within(Promise.all(edges.map((e) => e.drain()))).catch(() => undefined);
    await stopKind('processor');
    await stopKind('query');
    await stopKind('sink');
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
