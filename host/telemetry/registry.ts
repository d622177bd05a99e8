import { Registry } from 'prom-client';

/**
 * Self-telemetry lives in one registry per host (tests create several hosts in one process, so
 * not prom-client's global one). Metric names start with `sluice_`.
 */
export function createRegistry(): Registry {
  return new Registry();
}
