import { ConfigError } from '../errors.js';
import type { Consumer } from '../plugin/manifest.js';
import type { SeriesIndex } from '../series/series-index.js';
import { RemoteWriteTarget } from './remote-write-target.js';

/** One downstream node of a route, as configured. */
export interface RouteTarget {
  /** Unique within the route; the node's identity in the hash, so renaming it moves its series. */
  readonly name: string;
  /** Which factory builds its consumer, e.g. `remote_write`. */
  readonly kind: string;
  readonly url?: string | undefined;
  /** Relative share of series (default 1). */
  readonly weight: number;
  /** Kind-specific settings, validated by the factory. */
  readonly options: Readonly<Record<string, unknown>>;
}

/** What a route hands a target's share of a batch to. */
export interface TargetConsumer extends Consumer {
  /**
   * False while the target knows it cannot accept (a failing health check, an open circuit).
   * Its series then go to their next node and come back when it turns true again.
   */
  healthy?(): boolean;
  close?(): Promise<void> | void;
}

/** Host services a target may need: no plugin context, so any part of the host can route. */
export interface TargetEnv {
  /** To turn refs into labels for the wire. */
  readonly series: SeriesIndex;
  /** Aborted when the route shuts down, cancelling requests in flight. */
  readonly signal?: AbortSignal;
  /** The router's own downstream, for `local` targets (this node's share). */
  readonly next?: Consumer;
}

/** Builds the consumer for a target. */
export type TargetFactory = (target: RouteTarget, env: TargetEnv) => TargetConsumer;

/**
 * Built in: `remote_write`, a POST straight to the node (remote-write-target.ts), and `local`, this
 * node itself: its share goes on to the route's own downstream (each node of a cluster routes to
 * all nodes, itself included, and aggregates what it owns).
 */
const factories = new Map<string, TargetFactory>([
  ['remote_write', (t, env) => new RemoteWriteTarget(t, env)],
  ['local', localTarget],
]);

function localTarget(t: RouteTarget, env: TargetEnv): TargetConsumer {
  const next = env.next;
  if (!next) throw new ConfigError([{ path: `targets.${t.name}.kind`, message: 'a local target needs the route to have a downstream' }]);
  return { consume: (batch) => next.consume(batch) };
}

/**
 * Makes a target kind available to every route (the remote_write sink registers `remote_write`;
 * tests register their own). Returns a function that removes it again.
 */
export function registerTargetKind(kind: string, factory: TargetFactory): () => void {
  if (factories.has(kind)) throw new RangeError(`route target kind ${JSON.stringify(kind)} is already registered`);
  factories.set(kind, factory);
  return () => {
    if (factories.get(kind) === factory) factories.delete(kind);
  };
}

export function targetKinds(): string[] {
  return [...factories.keys()].sort();
}

/** The consumer for a target, or undefined when no factory knows its kind. */
export function createTargetConsumer(target: RouteTarget, env: TargetEnv): TargetConsumer | undefined {
  return factories.get(target.kind)?.(target, env);
}
