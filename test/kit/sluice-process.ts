import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../host/cli/main.ts', import.meta.url));

export interface RunningSluice {
  child: ChildProcess;
  url: string;
  /** Resolves with the exit code. */
  exited: Promise<number>;
  output(): string;
}

/**
 * Starts the CLI from sources on a free loopback port; resolves once it logs that it started
 * (so the args must keep info-level logs), rejects if it exits or takes over a minute.
 */
export function startSluice(args: string[]): Promise<RunningSluice> {
  return new Promise((resolve, reject) => {
    setTimeout(() => {
      if (!started) {
        child.kill('SIGKILL');
        reject(new Error(`sluice did not start within 60s:\n${out}`));
      }
    }, 60_000).unref();
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--web.listen-address=127.0.0.1:0', '--log.format=json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let started = false;
    const exited = new Promise<number>((res) => child.on('exit', (code, signal) => res(code ?? (signal ? 128 : -1))));
    const onData = (d: Buffer) => {
      out += d;
      const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)".*"msg":"Sluice started"/.exec(out);
      if (m && !started) {
        started = true;
        resolve({ child, url: m[1]!, exited, output: () => out });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      if (!started) reject(new Error(`sluice exited with ${code} before starting:\n${out}`));
    });
  });
}
