import type { Logger } from 'pino';
import { listDropIns, type DropInEntry } from './drop-in-dir.js';
import type { PluginType } from './plugin-type.js';
import { loadWorkerType } from './worker/worker-plugin-type.js';

/** What happened to one drop-in plugin in a scan. */
export type DropInChange =
  | { name: string; change: 'loaded'; type: PluginType; previous?: PluginType }
  | { name: string; change: 'failed'; error: string; previous?: PluginType }
  | { name: string; change: 'removed'; previous: PluginType };

export interface DropInState {
  name: string;
  path: string;
  hash: string;
  /** The type now in force (the last one that loaded), if any. */
  type?: PluginType;
  generation: number;
  lastError: string | null;
}

/**
 * Keeps the drop-in directory's plugins loaded: a new file is loaded, a changed file (by content
 * hash) is loaded beside the old one, a removed file is reported. It decides nothing about
 * components; the host does, and disposes replaced types once nothing runs on them.
 */
export class DropInManager {
  readonly dir: string;
  #state = new Map<string, DropInState>();
  #logger: Logger;
  #scanning: Promise<DropInChange[]> | undefined;

  constructor(dir: string, logger: Logger) {
    this.dir = dir;
    this.#logger = logger;
  }

  get states(): DropInState[] {
    return [...this.#state.values()];
  }

  /** Scans once; concurrent calls share one scan. */
  scan(): Promise<DropInChange[]> {
    this.#scanning ??= this.#scan().finally(() => (this.#scanning = undefined));
    return this.#scanning;
  }

  async #scan(): Promise<DropInChange[]> {
    const changes: DropInChange[] = [];
    const present = listDropIns(this.dir);
    const names = new Set(present.map((e) => e.name));
    for (const entry of present) {
      const known = this.#state.get(entry.name);
      if (known && known.hash === entry.hash) continue;
      changes.push(await this.#load(entry, known));
    }
    for (const [name, s] of this.#state) {
      if (names.has(name)) continue;
      this.#state.delete(name);
      if (s.type) changes.push({ name, change: 'removed', previous: s.type });
    }
    return changes;
  }

  async #load(entry: DropInEntry, known: DropInState | undefined): Promise<DropInChange> {
    const state: DropInState = known ?? { name: entry.name, path: entry.path, hash: entry.hash, generation: 0, lastError: null };
    state.hash = entry.hash;
    this.#state.set(entry.name, state);
    const previous = state.type;
    try {
      const type = await loadWorkerType(entry.path, entry.entry);
      state.type = type;
      state.generation++;
      state.lastError = null;
      this.#logger.info({ plugin: entry.name, kind: type.kind, type: type.type, hash: type.hash }, previous ? 'drop-in plugin changed' : 'drop-in plugin loaded');
      return { name: entry.name, change: 'loaded', type, ...(previous ? { previous } : {}) };
    } catch (err) {
      state.lastError = (err as Error).message;
      this.#logger.error({ plugin: entry.name, err: state.lastError }, 'drop-in plugin refused; the previous version, if any, keeps running');
      return { name: entry.name, change: 'failed', error: state.lastError, ...(previous ? { previous } : {}) };
    }
  }

  /** Marks a loaded type as refused after all (e.g. its config no longer validates), keeping the previous one. */
  reject(name: string, previous: PluginType | undefined, error: string): void {
    const s = this.#state.get(name);
    if (!s) return;
    s.lastError = error;
    if (previous) s.type = previous;
    else delete s.type;
  }
}
