import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Directories this process holds; a second open in the same process is refused like another process's. */
const heldHere = new Set<string>();

/**
 * An exclusive claim on a queue directory: a `lock` file holding the owner's pid. Two writers on
 * one queue would interleave records and fight over the read offset, so the second one is
 * refused. A lock left behind by a process that died (kill -9) is taken over, since its pid is
 * no longer running.
 */
export class DirLock {
  readonly #path: string;
  readonly #dir: string;
  #released = false;

  private constructor(dir: string) {
    this.#dir = dir;
    this.#path = join(dir, 'lock');
  }

  /** Claims `dir`; throws when a live process (this one included) holds it. */
  static acquire(dir: string): DirLock {
    if (heldHere.has(dir)) throw new Error(`queue directory ${dir} is already open in this process`);
    const lock = new DirLock(dir);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(lock.#path, 'wx');
        writeSync(fd, String(process.pid));
        closeSync(fd);
        heldHere.add(dir);
        return lock;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const owner = Number(readFileSync(lock.#path, 'utf8').trim());
        if (owner !== process.pid && isRunning(owner)) throw new Error(`queue directory ${dir} is in use by process ${owner}`);
        // Left by a dead process (or by an earlier life of this pid): take it over.
        rmSync(lock.#path, { force: true });
      }
    }
    throw new Error(`cannot lock queue directory ${dir}`);
  }

  release(): void {
    if (this.#released) return;
    this.#released = true;
    heldHere.delete(this.#dir);
    rmSync(this.#path, { force: true });
  }
}

function isRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else, which still means it is running.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
