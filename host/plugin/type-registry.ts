import type { PluginKind } from './manifest.js';
import { typeKey, type PluginType } from './plugin-type.js';

/** The plugin types the host knows now: built-ins, plus drop-ins as they come and go. */
export class TypeRegistry {
  #types = new Map<string, PluginType>();

  get(kind: PluginKind, type: string): PluginType | undefined {
    return this.#types.get(typeKey(kind, type));
  }

  /** Adds or replaces a type; returns the one it replaced. */
  set(t: PluginType): PluginType | undefined {
    const key = typeKey(t.kind, t.type);
    const old = this.#types.get(key);
    this.#types.set(key, t);
    return old;
  }

  delete(t: PluginType): void {
    const key = typeKey(t.kind, t.type);
    if (this.#types.get(key) === t) this.#types.delete(key);
  }

  namesOf(kind: PluginKind): string[] {
    return [...this.#types.values()].filter((t) => t.kind === kind).map((t) => t.type).sort();
  }

  all(): PluginType[] {
    return [...this.#types.values()].sort((a, b) => a.kind.localeCompare(b.kind) || a.type.localeCompare(b.type));
  }
}
