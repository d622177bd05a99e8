import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { shebangNodeFlags } from '../../host/cli/node-flags.js';
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
  /** Rows the program reports as stored so far, from its own metrics, to check nothing accepted was dropped. */
  insertedRows?(port: number): Promise<number>;
  /** The program to start; undefined with a reason when it is not available here. */
  spec(slot: TargetSlot): Promise<ProgramSpec | { unavailable: string }>;
}

const VMAGENT = '/usr/bin/vmagent';
const VICTORIA_METRICS = '/usr/bin/victoria-metrics';
const ROOT = join(import.meta.dirname, '..', '..');
const SLUICE_BUILT = join(ROOT, 'dist', 'host', 'cli', 'main.js');
const SLUICE_SOURCE = join(ROOT, 'host', 'cli', 'main.ts');

/**
 * Stream aggregation used by the `sluice-aggregate` run, the shape issue 5 measures: every input
 * series aggregated by two labels with five outputs, quantiles among them. A 10 s interval, so
 * that a 15 s run sees a flush after the first one, which is skipped as incomplete (as in vmagent).
 */
const STREAM_AGGR_CONFIG = `- match: '{__name__=~".+"}'
  interval: 10s
  by: [job, namespace]
  outputs: [total, sum_samples, count_samples, max, 'quantiles(0.5, 0.99)']
`;

/**
 * The pipeline spelled out in a config file: remote_write in, remote_write out to the counting
 * sink, and for the aggregation run the stream_aggr processor reading the vmagent rules file.
 * Explicit rather than flag-built, so the figure measures exactly this and nothing else.
 */
function pipelineConfig(slot: TargetSlot, rulesFile: string | undefined): string {
  const processors = rulesFile === undefined ? '' : `processors:\n  stream_aggr/bench:\n    config_file: ${JSON.stringify(rulesFile)}\n`;
  return `storage:
  path: ${JSON.stringify(join(slot.dataDir, 'data'))}
sources:
  remote_write/in: {}
${processors}sinks:
  remote_write/out:
    urls: [${JSON.stringify(slot.sinkWriteUrl)}]
pipelines:
  main:
    sources: [remote_write/in]
    processors: [${rulesFile === undefined ? '' : 'stream_aggr/bench'}]
    sinks: [remote_write/out]
`;
}

/** Newest modification time (ms) of the .ts files under `dir`, recursively. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, d.name);
    if (d.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (d.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * How Sluice is started: the built CLI when dist/ is at least as new as every source file (what
 * users run), else the CLI from source through tsx, so a stale build is never what gets measured.
 */
export function sluiceEntry(): { args: string[]; how: string } | undefined {
  // With the node options its shebang line gives, as running it (or npm start) does.
  const flags = (file: string) => shebangNodeFlags(readFileSync(file, 'utf8'));
  if (existsSync(SLUICE_BUILT)) {
    const built = statSync(SLUICE_BUILT).mtimeMs;
    if (built >= Math.max(newestSource(join(ROOT, 'host')), newestSource(join(ROOT, 'plugins')))) return { args: [...flags(SLUICE_BUILT), SLUICE_BUILT], how: 'built CLI (dist/)' };
  }
  if (existsSync(SLUICE_SOURCE)) return { args: [...flags(SLUICE_SOURCE), '--import', 'tsx', SLUICE_SOURCE], how: 'CLI from source via tsx (dist/ missing or older than the sources)' };
  return undefined;
}

/** The one place that knows how to start Sluice, with a generated config file. */
export async function sluiceSpec(slot: TargetSlot, opts: { aggregate: boolean }): Promise<ProgramSpec | { unavailable: string }> {
  const entry = sluiceEntry()?.args;
  if (entry === undefined) return { unavailable: `Sluice CLI not found (${SLUICE_BUILT} or ${SLUICE_SOURCE})` };
  let rulesFile: string | undefined;
  if (opts.aggregate) {
    rulesFile = join(slot.dataDir, 'stream-aggr.yml');
    await writeFile(rulesFile, STREAM_AGGR_CONFIG);
  }
  const config = join(slot.dataDir, 'sluice.yml');
  await writeFile(config, pipelineConfig(slot, rulesFile));
  return {
    name: opts.aggregate ? 'sluice (stream aggregation)' : 'sluice',
    command: process.execPath,
    args: [...entry, `--config.file=${config}`, `--web.listen-address=127.0.0.1:${slot.port}`, '--log.level=warn'],
    cwd: ROOT,
    readyUrl: `http://127.0.0.1:${slot.port}/-/ready`,
  };
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
    insertedRows: async (port) => {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return sumMetric(text, 'vm_rows_inserted_total', 'type="promremotewrite"');
    },
    spec: async (slot) => ({
      name: 'victoria-metrics',
      command: VICTORIA_METRICS,
      args: [`-httpListenAddr=127.0.0.1:${slot.port}`, `-storageDataPath=${slot.dataDir}`, '-loggerLevel=WARN'],
      readyUrl: `http://127.0.0.1:${slot.port}/health`,
    }),
  },
];

/** Sums the samples of a metric in Prometheus text format whose labels contain `labelFilter`. */
export function sumMetric(text: string, name: string, labelFilter: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || !line.includes(labelFilter)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== '{' && rest[0] !== ' ') continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}
