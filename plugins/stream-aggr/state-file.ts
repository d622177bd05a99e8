/** The aggregation state on disk (state-codec.ts), written atomically: temp file, fsync, rename. */
import { open, readdir, readFile, rename, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { runSliced } from '../../host/aggregation/steps.js';
import { decodeState, encodeState } from './state-codec.js';

export const STATE_FILE = 'stream-aggr.state';

/** Encodes in slices between which the event loop runs, then writes without blocking it. */
export async function writeState(dir: string, state: unknown): Promise<{ bytes: number }> {
  const buffers = await runSliced(encodeState(state));
  const file = join(dir, STATE_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    await writeAll(fh, buffers);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file).catch(async (err) => {
    await unlink(tmp).catch(() => {});
    throw err;
  });
  return { bytes: buffers.reduce((n, b) => n + b.byteLength, 0) };
}

/** Writes buffers in order, many per call (a state has a section for every thousand series). */
export async function writeAll(fh: Pick<FileHandle, 'writev'>, buffers: Uint8Array[]): Promise<void> {
  let i = 0;
  let done = 0; // bytes of buffers[i] already written
  while (i < buffers.length) {
    const batch = buffers.slice(i, i + 256);
    batch[0] = batch[0]!.subarray(done);
    let written = (await fh.writev(batch)).bytesWritten;
    if (written === 0 && batch.some((b) => b.byteLength > 0)) throw new Error('cannot write the state file: the disk took no bytes');
    // A short write ends anywhere: skip the buffers it finished, remember how far into the next.
    while (i < buffers.length && written >= buffers[i]!.byteLength - done) {
      written -= buffers[i]!.byteLength - done;
      done = 0;
      i++;
    }
    done += written;
  }
}

export interface SavedState {
  state: unknown;
  /** The file's format (1: before sections, STATE_FORMAT: now). */
  format: number;
}

/**
 * The saved state, or undefined when there is none. A file that cannot be read is renamed to
 * `<file>.unreadable` (kept for a person to look at, not overwritten by the next snapshot) and
 * the error, which names it, is thrown for the caller to log.
 */
export async function readState(dir: string): Promise<SavedState | undefined> {
  // A write cut short (kill -9 mid-write) leaves its temp file; the last complete state is intact.
  for (const f of await readdir(dir).catch(() => [] as string[])) {
    if (f.startsWith(`${STATE_FILE}.`) && f.endsWith('.tmp')) await unlink(join(dir, f)).catch(() => {});
  }
  const file = join(dir, STATE_FILE);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    return decodeState(bytes);
  } catch (err) {
    const aside = `${file}.unreadable`;
    await rename(file, aside);
    throw new Error(`cannot decode ${file} (moved to ${aside}): ${(err as Error).message}`, { cause: err });
  }
}
