import type { SampleBatch } from '../batch/sample-batch.js';
import type { ConfigSchema } from '../config/schema.js';
import type { FieldSpecs } from './field-spec.js';
import type { PluginContext } from './context.js';

/** The plugin API version this host speaks; a manifest with another `api` is refused. */
export const PLUGIN_API_VERSION = 1;

export type PluginKind = 'source' | 'processor' | 'sink' | 'query';
export const PLUGIN_KINDS: readonly PluginKind[] = ['source', 'processor', 'sink', 'query'];

export type Stability = 'stable' | 'beta' | 'alpha' | 'development';

/** Where a component sends what it produces: the edge to the next component(s). */
export interface Consumer {
  /** Resolves when the batch is accepted downstream (queued on a bounded edge, or dropped by its policy). */
  consume(batch: SampleBatch): Promise<void>;
}

/**
 * A running plugin instance. Every method is optional; the host calls them in this order:
 * start, consume*, (snapshot → stop on hot swap | flush → stop on shutdown).
 */
export interface Component {
  start?(): Promise<void> | void;
  /** Processors and sinks: handle one batch. A thrown error is typed (see errors.ts). */
  consume?(batch: SampleBatch): Promise<void> | void;
  /** Push out what is buffered (aggregation state on shutdown, batches in a sink). */
  flush?(): Promise<void> | void;
  stop?(): Promise<void> | void;
  /** Apply a changed config in place; return false to ask for a new generation instead. */
  update?(config: unknown): Promise<boolean> | boolean;
  /** State to hand to the next generation or to disk: structured-cloneable data. */
  snapshot?(): Promise<unknown> | unknown;
  restore?(state: unknown): Promise<void> | void;
}

/**
 * What a plugin module default-exports. Built-in plugins give a zod schema; drop-in plugins,
 * which cannot import the host's zod, may give plain field specs instead.
 */
export interface PluginManifest<C = any> {
  kind: PluginKind;
  /** The type named in config before the slash: `remote_write` in `remote_write/main`. */
  type: string;
  api: number;
  stability: Stability;
  description: string;
  config: ConfigSchema<C> | FieldSpecs;
  /** A minimal valid config: shown in the docs and used by the conformance suite. */
  example?: unknown;
  create(ctx: PluginContext, config: C, next: Consumer): Component | Promise<Component>;
}
