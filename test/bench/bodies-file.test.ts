import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadBodies, saveBodies } from '../../bench/load/bodies-file.js';
import { buildBodies } from '../../bench/load/body-builder.js';

const dir = await mkdtemp(join(tmpdir(), 'sluice-bodies-test-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('bodies file', () => {
  it('gives every process the very same bytes and sample counts back', async () => {
    const b = buildBodies({ version: 2, series: 1200, samplesPerBody: 500, scrapes: 2, startMs: Date.UTC(2026, 0, 1), intervalMs: 15_000 });
    const file = join(dir, 'b.bin');
    await saveBodies(file, b);
    const back = await loadBodies(file);
    expect(back.version).toBe(2);
    expect(back.samples).toEqual(b.samples);
    expect(back.bodies.map((x) => Buffer.from(x))).toEqual(b.bodies.map((x) => Buffer.from(x)));
    expect({ ...back, bodies: [], samples: [] }).toEqual({ ...b, bodies: [], samples: [] });
  });

  it('refuses a file that is not a bodies file, or is cut short', async () => {
    const foreign = join(dir, 'foreign.bin');
    await writeFile(foreign, 'hello');
    await expect(loadBodies(foreign)).rejects.toThrow(/foreign\.bin: not a bodies file/);
    const b = buildBodies({ version: 1, series: 10, samplesPerBody: 5, scrapes: 1, startMs: 0, intervalMs: 1 });
    const full = join(dir, 'full.bin');
    await saveBodies(full, b);
    const bytes = await readFile(full);
    const cut = join(dir, 'cut.bin');
    await writeFile(cut, bytes.subarray(0, bytes.length - 3));
    await expect(loadBodies(cut)).rejects.toThrow(/cut\.bin: truncated/);
  });
});
