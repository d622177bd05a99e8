import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { DynamicRouter } from '../http/dynamic-router.js';
import type { Kernels } from '../kernels/kernels.js';
import type { SeriesIndex } from '../series/series-index.js';
import { pluginMetrics } from '../telemetry/plugin-metrics.js';
import type { Clock, PluginContext } from './context.js';
import { Timers } from './timers.js';

/** What the host shares with every plugin instance. */
export interface HostServices {
  logger: Logger;
  registry: Registry;
  series: SeriesIndex;
  kernels: Kernels;
  router: DynamicRouter;
  clock: Clock;
  /** Root for per-component data directories. */
  dataRoot: string;
}

export interface OwnedContext {
  ctx: PluginContext;
  /** Clears timers, aborts the signal and detaches routes the instance still holds. */
  teardown(): void;
}

export function createContext(services: HostServices, id: string, generation: number): OwnedContext {
  const abort = new AbortController();
  const timers = new Timers();
  const routes = services.router.forComponent(id);
  const dataDir = join(services.dataRoot, id.replace(/[^a-zA-Z0-9_.-]/g, '_'));
  mkdirSync(dataDir, { recursive: true });
  const ctx: PluginContext = {
    id,
    generation,
    logger: services.logger.child({ component: id, generation }),
    metrics: pluginMetrics(services.registry, id),
    timers,
    signal: abort.signal,
    series: services.series,
    kernels: services.kernels,
    http: routes,
    clock: services.clock,
    dataDir,
  };
  return {
    ctx,
    teardown() {
      timers.clearAll();
      abort.abort();
      routes.detach();
    },
  };
}
