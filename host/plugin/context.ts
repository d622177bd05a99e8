import type { Logger } from 'pino';
import type { SeriesIndex } from '../series/series-index.js';
import type { Kernels } from '../kernels/kernels.js';
import type { PluginMetrics } from '../telemetry/plugin-metrics.js';
import type { HttpRoutes } from '../http/routes.js';
import type { Timers } from './timers.js';

/** Milliseconds since the epoch; tests give a fake one. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/**
 * Everything a plugin instance gets from the host. All of it is torn down with the instance:
 * timers cleared, routes detached, `signal` aborted. A plugin that keeps to the context leaks nothing.
 */
export interface PluginContext {
  /** `type/name` as in config; keys metrics, logs and saved state. */
  readonly id: string;
  /** Generation number: 1 for the first instance, +1 for each hot swap or reload. */
  readonly generation: number;
  readonly logger: Logger;
  readonly metrics: PluginMetrics;
  readonly timers: Timers;
  /** Aborted when this instance is being torn down. */
  readonly signal: AbortSignal;
  readonly series: SeriesIndex;
  readonly kernels: Kernels;
  readonly http: HttpRoutes;
  readonly clock: Clock;
  /** A directory of this component's own for persistent state (queues, snapshots). */
  readonly dataDir: string;
}
