import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProgramSpec } from './peer-harness.js';

/** Where one program under test listens and may keep its files. */
export interface TargetSlot {
  port: number;
  /** A fresh, empty directory for this run. */
  dataDir: string;
  /** The counting sink's remote_write URL, for relays. */
  sinkWriteUrl: string;
}

/** A program an end-to-end run sends load to. */
export interface E2ETarget {
  /** Name in the table, e.g. `vmagent-relay`. */
  id: string;
  /** Whether its output goes to the counting sink, which then measures delivered samples. */
  relay: boolean;
  /** Whether the sink should see every accepted sample again (false when the target aggregates). */
  deliversEverySample: boolean;
  /** Path on the target that accepts remote_write. */
  writePath: string;
  /** The program to start; undefined with a reason when it is not available here. */
  spec(slot: TargetSlot): Promise<ProgramSpec | { unavailable: string }>;
}

const VMAGENT = '/usr/bin/vmagent';
const VICTORIA_METRICS = '/usr/bin/victoria-metrics';
const ROOT = join(import.meta.dirname, '..', '..');
const SLUICE_BUILT = join(ROOT, 'dist', 'host', 'cli', 'main.js');
const SLUICE_SOURCE = join(ROOT, 'host', 'cli', 'main.ts');

/** Stream aggregation used by the `sluice-aggregate` run: the common "drop pod and instance" roll-up. */
const STREAM_AGGR_CONFIG = `- match: '{__name__=~"http_.+"}'
  interval: 30s
  without: [pod, instance]
  outputs: [total]
`;

/**
 * The one place that knows how to start Sluice: the built CLI (`npm run build`) when present,
 * else the same CLI from source through tsx, with vmagent-style flags and the flag-built gateway
 * pipeline (remote_write in, remote_write out to the counting sink).
 */
export async function sluiceSpec(slot: TargetSlot, opts: { aggregate: boolean }): Promise<ProgramSpec | { unavailable: string }> {
  const entry = existsSync(SLUICE_BUILT) ? [SLUICE_BUILT] : existsSync(SLUICE_SOURCE) ? ['--import', 'tsx', SLUICE_SOURCE] : undefined;
  if (entry === undefined) return { unavailable: `Sluice CLI not found (${SLUICE_BUILT} or ${SLUICE_SOURCE})` };
  const args = [...entry, `--web.listen-address=127.0.0.1:${slot.port}`, `--remote-write.url=${slot.sinkWriteUrl}`, `--storage.path=${slot.dataDir}`, '--log.level=warn'];
  if (opts.aggregate) {
    const file = join(slot.dataDir, 'stream-aggr.yml');
    await writeFile(file, STREAM_AGGR_CONFIG);
    args.push(`--stream-aggr.config=${file}`);
  }
  return { name: opts.aggregate ? 'sluice (stream aggregation)' : 'sluice', command: process.execPath, args, cwd: ROOT, readyUrl: `http://127.0.0.1:${slot.port}/-/ready` };
}

/** Every target, in the order they run within a repeat. */
export const E2E_TARGETS: E2ETarget[] = [
  {
    id: 'sluice-relay',
    relay: true,
    deliversEverySample: true,
    writePath: '/api/v1/write',
    spec: (slot) => sluiceSpec(slot, { aggregate: false }),
  },
  {
    id: 'sluice-aggregate',
    relay: true,
    deliversEverySample: false,
    writePath: '/api/v1/write',
    spec: (slot) => sluiceSpec(slot, { aggregate: true }),
  },
  {
    id: 'vmagent-relay',
    relay: true,
    deliversEverySample: true,
    writePath: '/api/v1/write',
    spec: async (slot) => ({
      name: 'vmagent',
      command: VMAGENT,
      args: [`-httpListenAddr=127.0.0.1:${slot.port}`, `-remoteWrite.url=${slot.sinkWriteUrl}`, `-remoteWrite.tmpDataPath=${slot.dataDir}`, '-loggerLevel=WARN'],
      readyUrl: `http://127.0.0.1:${slot.port}/health`,
    }),
  },
  {
    id: 'victoria-metrics',
    relay: false,
    deliversEverySample: false,
    writePath: '/api/v1/write',
    spec: async (slot) => ({
      name: 'victoria-metrics',
      command: VICTORIA_METRICS,
      args: [`-httpListenAddr=127.0.0.1:${slot.port}`, `-storageDataPath=${slot.dataDir}`, '-loggerLevel=WARN'],
      readyUrl: `http://127.0.0.1:${slot.port}/health`,
    }),
  },
];
