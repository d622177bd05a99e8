import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { readProcessStats, type ProcessStats } from './process-stats.js';

/** A program to start for an end-to-end benchmark. */
export interface ProgramSpec {
  /** Short name for messages, e.g. `vmagent`. */
  name: string;
  /** Absolute path of the executable (checked before starting, for a clear error). */
  command: string;
  args: string[];
  /** Pin to this CPU with taskset, so receiver and load generator do not steal each other's core. */
  cpu?: number;
  /** Polled until it answers 2xx; the program counts as started then. */
  readyUrl?: string;
  readyTimeoutMs?: number;
  env?: Record<string, string>;
  cwd?: string;
}

/** A started program. */
export interface RunningProgram {
  readonly name: string;
  readonly pid: number;
  /** Everything it wrote to stdout. */
  stdout(): string;
  /** The last lines it wrote to stderr, for error messages. */
  stderrTail(): string;
  /** Peak RSS and CPU time so far; read this before stop(). */
  stats(): ProcessStats;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
  /** Resolves with the exit code when the program exits by itself. */
  readonly exited: Promise<number | null>;
  /** The exit code (null after a signal) once it has exited, undefined while it runs. */
  exitCode(): number | null | undefined;
}

const TASKSET = '/usr/bin/taskset';

/**
 * Starts a program (pinned with taskset when `cpu` is set) and waits until it is ready. A missing
 * executable, an early exit or a readiness timeout is an error carrying the program's stderr.
 */
export async function startProgram(spec: ProgramSpec): Promise<RunningProgram> {
  assertExecutable(spec.command, spec.name);
  let command = spec.command;
  let args = spec.args;
  if (spec.cpu !== undefined) {
    assertExecutable(TASKSET, 'taskset (util-linux)');
    // taskset execs the program, so the pid we get is the program's own.
    args = ['-c', String(spec.cpu), command, ...args];
    command = TASKSET;
  }
  const child = spawn(command, args, { cwd: spec.cwd, env: { ...process.env, ...spec.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-8192)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const spawned = await new Promise<Error | undefined>((resolve) => {
    child.once('spawn', () => resolve(undefined));
    child.once('error', resolve);
  });
  if (spawned) throw new Error(`Cannot start ${spec.name}: ${spawned.message}`);
  const program: RunningProgram = {
    name: spec.name,
    pid: child.pid!,
    stdout: () => out,
    stderrTail: () => err.split('\n').slice(-15).join('\n'),
    stats: () => readProcessStats(child.pid!),
    stop: (graceMs = 10_000) => stop(child, exited, graceMs),
    exited,
    exitCode: () => (child.exitCode === null && child.signalCode === null ? undefined : child.exitCode),
  };
  if (spec.readyUrl !== undefined) {
    try {
      await waitReady(spec.readyUrl, exited, spec.readyTimeoutMs ?? 30_000);
    } catch (e) {
      await program.stop(1000);
      throw new Error(`${spec.name} did not become ready at ${spec.readyUrl}: ${(e as Error).message}\n${program.stderrTail()}`);
    }
  }
  return program;
}

function assertExecutable(path: string, what: string): void {
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new Error(`${what} not found at ${path}; install it (see README "Performance") to run this benchmark`);
  }
}

async function waitReady(url: string, exited: Promise<number | null>, timeoutMs: number): Promise<void> {
  let gone: number | null | undefined;
  void exited.then((code) => (gone = code));
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (gone !== undefined) throw new Error(`exited with code ${gone} before it was ready`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`not ready after ${timeoutMs} ms (${last})`);
}

async function stop(child: ChildProcess, exited: Promise<number | null>, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
