import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const RUNNER = fileURLToPath(new URL('./swap-memory-run.mjs', import.meta.url));
const BUILT_HOST = fileURLToPath(new URL('../../dist/host/host.js', import.meta.url));

interface MemorySample {
  swaps: number;
  heapUsed: number;
  rss: number;
  generation: number;
}

describe('drop-in swap memory', () => {
  // Runs the built program (what users run) in its own process so the measurement is its alone.
  it('stays flat across 250 swaps of a drop-in plugin', { timeout: 300_000 }, async () => {
    expect(existsSync(BUILT_HOST), 'dist/ is missing: run npm install (or npm run build) first').toBe(true);
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', RUNNER, '250'], { maxBuffer: 1 << 20 });
    const samples = JSON.parse(stdout) as MemorySample[];
    expect(samples.map((s) => s.generation)).toEqual([51, 101, 151, 201, 251]);
    const first = samples[0]!;
    const last = samples.at(-1)!;
    // Re-importing in-process leaked ~0.4 MiB per swap (DESIGN §4): 200 swaps would add ~80 MiB.
    expect(last.heapUsed - first.heapUsed).toBeLessThan(4 << 20);
    expect(last.rss - first.rss).toBeLessThan(40 << 20);
  });
});
