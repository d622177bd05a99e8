import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { DynamicRouter } from '../../host/http/dynamic-router.js';
import { createKernels } from '../../host/kernels/kernels.js';
import { createContext, type HostServices, type OwnedContext } from '../../host/plugin/create-context.js';
import { MapSeriesIndex } from '../../host/series/map-series-index.js';
import { createRegistry } from '../../host/telemetry/registry.js';
import { FakeClock } from './fake-clock.js';

export interface TestHost extends HostServices {
  clock: FakeClock;
  context(id: string, generation?: number): OwnedContext;
  /** Removes the temporary data root. */
  cleanup(): void;
}

/** Host services for a plugin under test: a Map series index, a fake clock, a temp data dir. */
export function createTestHost(overrides: Partial<HostServices> = {}): TestHost {
  const dataRoot = mkdtempSync(join(tmpdir(), 'sluice-test-'));
  const services: HostServices = {
    logger: pino({ level: process.env.SLUICE_TEST_LOG ?? 'silent' }),
    registry: createRegistry(),
    series: new MapSeriesIndex(),
    kernels: createKernels(),
    router: new DynamicRouter(),
    clock: new FakeClock(),
    dataRoot,
    ...overrides,
  };
  return {
    ...services,
    clock: services.clock as FakeClock,
    context: (id, generation = 1) => createContext(services, id, generation),
    cleanup: () => rmSync(dataRoot, { recursive: true, force: true }),
  };
}
