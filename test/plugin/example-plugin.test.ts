import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isStaleNaN, STALE_NAN } from '../../host/batch/stale.js';
import type { ManualSource } from '../kit/plugins/manual-source.js';
import { recorded } from '../kit/plugins/recording-sink.js';
import { createHost } from '../kit/test-host.js';

const EXAMPLE = fileURLToPath(new URL('../fixtures/drop-in/value-scale.mjs', import.meta.url));

describe('the README example drop-in plugin', () => {
  it('loads from the plugin directory, scales values and keeps stale markers', async () => {
    const pluginsDir = mkdtempSync(join(tmpdir(), 'sluice-example-'));
    copyFileSync(EXAMPLE, join(pluginsDir, 'value-scale.mjs'));
    const { host, cleanup } = await createHost({
      pluginsDir,
      watchPlugins: false,
      config: {
        sources: { 'manual/in': {} },
        processors: { 'value_scale/ms_to_s': { factor: 0.001 } },
        sinks: { 'recording/out': {} },
        pipelines: { p: { sources: ['manual/in'], processors: ['value_scale/ms_to_s'], sinks: ['recording/out'] } },
      },
    });
    try {
      await host.start();
      const source = host.graph!.slots.get('manual/in')!.component as ManualSource;
      await source.push({ tenant: { accountId: 0, projectId: 0 }, length: 2, refs: Uint32Array.of(1, 2), ts: Float64Array.of(5, 5), values: Float64Array.of(1500, STALE_NAN) });
      const [out] = recorded.get('recording/out')!;
      expect(out!.values[0]).toBeCloseTo(1.5);
      expect(isStaleNaN(out!.values[1]!)).toBe(true);
      expect(await host.registry.getSingleMetricAsString('sluice_value_scale_samples_total')).toContain('sluice_value_scale_samples_total{component="value_scale/ms_to_s"} 2');
    } finally {
      await host.stop();
      cleanup();
      recorded.clear();
      rmSync(pluginsDir, { recursive: true, force: true });
    }
  });
});
