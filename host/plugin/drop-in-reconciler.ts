import { sectionPath, type ComponentSpec } from '../config/validate-config.js';
import type { Graph } from '../pipeline/graph.js';
import type { HostMetrics } from '../telemetry/host-metrics.js';
import type { DropInChange, DropInManager } from './drop-in-manager.js';
import type { PluginType } from './plugin-type.js';
import type { TypeRegistry } from './type-registry.js';

export interface ReconcilerContext {
  types: TypeRegistry;
  metrics: HostMetrics;
  dropIns: DropInManager;
  graph(): Graph | undefined;
  /** Each component's last error, shown in /api/v1/status/plugins. */
  errors: Map<string, string>;
  /** Called when a new type may let components waiting for it start (re-applies the config). */
  typeAdded(): Promise<void>;
}

/**
 * Turns what changed in the drop-in directory into changes of the running graph: a new version
 * of a plugin is validated against every component that uses it and then swapped in, a broken
 * one is refused with the old generation left running, a removed one is unloaded as far as that
 * is safe (a processor passes through, a source stops, a sink in use keeps running).
 */
export class DropInReconciler {
  readonly #c: ReconcilerContext;

  constructor(c: ReconcilerContext) {
    this.#c = c;
  }

  /** A freshly loaded drop-in type joins the registry unless it would shadow a built-in. */
  admit(change: DropInChange): boolean {
    const { metrics, types, dropIns } = this.#c;
    if (change.change === 'failed') {
      metrics.pluginLoadErrors.inc({ plugin: change.name });
      return false;
    }
    if (change.change !== 'loaded') return false;
    const existing = types.get(change.type.kind, change.type.type);
    if (existing && existing.origin === 'builtin') {
      const error = `drop-in ${change.name} declares ${change.type.kind} type ${change.type.type}, which is built in; choose another type name`;
      dropIns.reject(change.name, change.previous, error);
      metrics.pluginLoadErrors.inc({ plugin: change.name });
      void change.type.dispose();
      return false;
    }
    types.set(change.type);
    return true;
  }

  /** Scans the directory once and applies every change found. */
  async apply(): Promise<void> {
    for (const change of await this.#c.dropIns.scan()) {
      if (change.change === 'failed') {
        this.#c.metrics.pluginLoadErrors.inc({ plugin: change.name });
        this.#flagUsers(change.previous, `plugin file ${change.name} failed to load, previous version still running: ${change.error}`);
      } else if (change.change === 'removed') {
        await this.#unload(change.name, change.previous);
      } else {
        await this.#replace(change.name, change.type, change.previous);
      }
    }
  }

  /** Hot-swaps every component running on `previous` onto `next`; all of them validate first. */
  async #replace(name: string, next: PluginType, previous: PluginType | undefined): Promise<void> {
    const users = this.#usersOf(previous);
    const validated: [string, unknown][] = [];
    const issues: string[] = [];
    for (const spec of users) {
      const r = await next.validate(spec.raw, sectionPath(spec));
      if (r.ok) validated.push([spec.id, r.value]);
      else issues.push(...r.issues.map((i) => `${i.path}: ${i.message}`));
    }
    const retyped = previous !== undefined && users.length > 0 && (previous.kind !== next.kind || previous.type !== next.type);
    if (issues.length > 0 || retyped) {
      const why = issues.length > 0 ? `config no longer valid: ${issues.join('; ')}` : `it changed its kind or type from ${previous!.kind}:${previous!.type}`;
      this.#c.dropIns.reject(name, previous, why);
      this.#c.metrics.pluginLoadErrors.inc({ plugin: name });
      this.#flagUsers(previous, `new version of plugin ${name} refused, previous version still running: ${why}`);
      await next.dispose();
      return;
    }
    if (!this.admit({ name, change: 'loaded', type: next, ...(previous ? { previous } : {}) })) return;
    const graph = this.#c.graph()!;
    for (const [id, config] of validated) {
      try {
        await graph.swap(id, { ...graph.specs.get(id)!, pluginType: next, config });
        this.#c.errors.delete(id);
      } catch (err) {
        this.#c.errors.set(id, `hot swap to ${name} ${next.hash} failed, previous generation still running: ${(err as Error).message}`);
      }
    }
    if (previous && this.#usersOf(previous).length === 0) await previous.dispose();
    // A component that waited for this type (its config did not validate before) may now start.
    if (!previous) await this.#c.typeAdded();
  }

  async #unload(name: string, previous: PluginType): Promise<void> {
    const graph = this.#c.graph();
    let inUse = false;
    for (const spec of this.#usersOf(previous)) {
      if (spec.kind === 'processor') {
        await graph!.bypass(spec.id);
        this.#c.errors.set(spec.id, `plugin ${name} was removed; the processor passes batches through unchanged`);
      } else if (spec.kind === 'source') {
        await graph!.slots.get(spec.id)!.stop();
        this.#c.errors.set(spec.id, `plugin ${name} was removed; the source is stopped`);
      } else {
        inUse = true;
        this.#c.errors.set(spec.id, `plugin ${name} was removed but a pipeline still sends to this ${spec.kind}; it keeps running until the config no longer uses it`);
      }
    }
    if (!inUse) {
      this.#c.types.delete(previous);
      await previous.dispose();
    }
  }

  #usersOf(t: PluginType | undefined): ComponentSpec[] {
    const graph = this.#c.graph();
    if (!t || !graph) return [];
    return [...graph.specs.values()].filter((s) => s.pluginType === t);
  }

  #flagUsers(t: PluginType | undefined, message: string): void {
    for (const spec of this.#usersOf(t)) this.#c.errors.set(spec.id, message);
  }
}
