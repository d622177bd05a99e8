import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Host, type HostOptions } from '../../host/host.js';
import { loadInProcessType } from '../../host/plugin/builtin-plugin-type.js';

/** A Host with the test kit's manual source and recording sink registered, quiet logs, temp storage. */
export async function createHost(opts: HostOptions & { config: Record<string, unknown> }): Promise<{ host: Host; dir: string; cleanup(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-host-'));
  const config = { storage: { path: join(dir, 'data') }, ...opts.config };
  const host = new Host({ logger: pino({ level: process.env.SLUICE_TEST_LOG ?? 'silent' }), ...opts, config });
  for (const name of ['manual-source', 'recording-sink']) host.types.set(await loadInProcessType(new URL(`./plugins/${name}.ts`, import.meta.url).href));
  return { host, dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
