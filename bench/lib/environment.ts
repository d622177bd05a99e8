import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** The machine and code a set of figures came from; without it a number cannot be reproduced. */
export interface BenchEnvironment {
  node: string;
  v8: string;
  cpuModel: string;
  cores: number;
  /** Cores this process may run on (taskset / cgroup), which can be fewer than `cores`. */
  usableCores: number;
  memoryBytes: number;
  platform: string;
  kernel: string;
  gitCommit: string;
  /** Uncommitted changes in the checkout, so a figure from a dirty tree is not mistaken for HEAD's. */
  gitDirty: boolean;
  date: string;
}

/** Describes this machine and checkout. Never throws: unknown parts read "unknown". */
export function describeEnvironment(cwd = process.cwd()): BenchEnvironment {
  const cpus = os.cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    cpuModel: cpuModel(cpus),
    cores: cpus.length,
    usableCores: typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length,
    memoryBytes: os.totalmem(),
    platform: `${process.platform}-${process.arch}`,
    kernel: os.release(),
    gitCommit: git(['rev-parse', 'HEAD'], cwd) ?? 'unknown',
    gitDirty: (git(['status', '--porcelain', '--untracked-files=no'], cwd) ?? '') !== '',
    date: new Date().toISOString(),
  };
}

/** One line for the table's heading. */
export function formatEnvironment(env: BenchEnvironment): string {
  const commit = env.gitCommit === 'unknown' ? 'unknown' : env.gitCommit.slice(0, 12) + (env.gitDirty ? '+dirty' : '');
  const memGiB = (env.memoryBytes / 2 ** 30).toFixed(1);
  return `${env.cpuModel}, ${env.cores} cores, ${memGiB} GiB, ${env.platform} ${env.kernel}, node ${env.node}, commit ${commit}, ${env.date}`;
}

function cpuModel(cpus: os.CpuInfo[]): string {
  const fromOs = cpus[0]?.model?.trim();
  if (fromOs) return fromOs;
  // Some virtual machines leave os.cpus() empty; /proc/cpuinfo still names the processor.
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    return line?.split(':')[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function git(args: string[], cwd: string): string | undefined {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}
