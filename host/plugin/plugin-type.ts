import type { ConfigIssue } from '../errors.js';
import type { FieldDoc } from '../config/schema.js';
import type { Generation } from '../pipeline/component-slot.js';
import type { HostServices } from './create-context.js';
import type { Consumer, PluginKind, Stability } from './manifest.js';

export type PluginOrigin = 'builtin' | 'drop-in';

/**
 * A loaded plugin type, however it was loaded: built-in plugins run in the host's thread,
 * drop-in plugins in a worker of their own (so replacing one frees its module, see DESIGN §4).
 */
export interface PluginType {
  readonly kind: PluginKind;
  readonly type: string;
  readonly stability: Stability;
  readonly description: string;
  readonly origin: PluginOrigin;
  /** The file or folder it came from, and a content hash that tells generations apart. */
  readonly source: string;
  readonly hash: string;
  readonly docs: FieldDoc[];
  readonly example?: unknown;
  /** Validates a component's config and applies defaults; `path` prefixes issue paths. */
  validate(config: unknown, path: string): Promise<{ ok: true; value: unknown } | { ok: false; issues: ConfigIssue[] }>;
  /** Creates (but does not start) one generation of a component with an already validated config. */
  instantiate(services: HostServices, id: string, generation: number, config: unknown, next: Consumer): Promise<Generation>;
  /** Frees what the type holds (a drop-in's worker) once no generation of it runs. */
  dispose(): Promise<void>;
}

/** `kind:type`, the key under which types are registered. */
export function typeKey(kind: PluginKind, type: string): string {
  return `${kind}:${type}`;
}
