import type { Consumer } from '../plugin/manifest.js';

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

/** Builds the consumer for a target. Independent of any plugin context, so any host part can route. */
export type TargetFactory = (target: RouteTarget) => TargetConsumer;

const factories = new Map<string, TargetFactory>();

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
export function createTargetConsumer(target: RouteTarget): TargetConsumer | undefined {
  return factories.get(target.kind)?.(target);
}
