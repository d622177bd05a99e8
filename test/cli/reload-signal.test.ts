import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSluice } from '../kit/sluice-process.js';

const config = (dir: string, staleness: string) => `
storage: { path: ${dir}/data }
sources: { remote_write/in: {} }
sinks: { exposition/out: { staleness: ${staleness} } }
pipelines: { main: { sources: [remote_write/in], sinks: [exposition/out] } }
`;

async function generation(url: string, id: string): Promise<number> {
  const body = (await (await fetch(`${url}/api/v1/status/plugins`)).json()) as { data: { id: string; generation: number }[] };
  return body.data.find((r) => r.id === id)!.generation;
}

describe('SIGHUP', () => {
  it('reloads the config file: a changed component gets a new generation', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-hup-'));
    const file = join(dir, 'sluice.yml');
    writeFileSync(file, config(dir, '5m'));
    const sluice = await startSluice([`--config.file=${file}`]);
    try {
      expect(await generation(sluice.url, 'exposition/out')).toBe(1);
      writeFileSync(file, config(dir, '10m'));
      sluice.child.kill('SIGHUP');
      for (let i = 0; i < 100 && (await generation(sluice.url, 'exposition/out')) === 1; i++) await new Promise((r) => setTimeout(r, 100));
      expect(await generation(sluice.url, 'exposition/out')).toBe(2);
      expect(await generation(sluice.url, 'remote_write/in')).toBe(1);
    } finally {
      sluice.child.kill('SIGTERM');
      await sluice.exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
