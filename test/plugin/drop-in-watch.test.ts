import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createHost } from '../kit/test-host.js';

const EXAMPLE = fileURLToPath(new URL('../fixtures/drop-in/value-scale.mjs', import.meta.url));

async function until(cond: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting for the plugin directory to be picked up');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the watched plugin directory', () => {
  it('loads a file dropped in and forgets it when removed, without being asked', async () => {
    const pluginsDir = mkdtempSync(join(tmpdir(), 'sluice-watch-'));
    const { host, cleanup } = await createHost({
      pluginsDir,
      config: { sources: { 'manual/in': {} }, sinks: { 'recording/out': {} }, pipelines: { p: { sources: ['manual/in'], sinks: ['recording/out'] } } },
    });
    try {
      await host.start();
      const plugin = () => host.status().find((r) => r.id === 'plugin:value-scale');
      copyFileSync(EXAMPLE, join(pluginsDir, 'value-scale.mjs'));
      await until(() => host.types.get('processor', 'value_scale') !== undefined);
      expect(host.types.get('processor', 'value_scale')?.origin).toBe('drop-in');
      expect(plugin()?.state).toBe('loaded');
      rmSync(join(pluginsDir, 'value-scale.mjs'));
      await until(() => host.types.get('processor', 'value_scale') === undefined);
      expect(plugin()).toBeUndefined();
    } finally {
      await host.stop();
      cleanup();
      rmSync(pluginsDir, { recursive: true, force: true });
    }
  });
});
