/** The aggregation state on disk: v8-serialized snapshot, written atomically (temp, fsync, rename). */
import { open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';

export const STATE_FILE = 'stream-aggr.state';

export async function writeState(dir: string, state: unknown): Promise<void> {
  const file = join(dir, STATE_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(serialize(state));
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file).catch(async (err) => {
    await unlink(tmp).catch(() => {});
    throw err;
  });
}

/** The saved state, or undefined when there is none. A corrupt file is an error for the caller to log. */
export async function readState(dir: string): Promise<unknown> {
  // A write cut short (kill -9 mid-write) leaves its temp file; the last complete state is intact.
  for (const f of await readdir(dir).catch(() => [] as string[])) {
    if (f.startsWith(`${STATE_FILE}.`) && f.endsWith('.tmp')) await unlink(join(dir, f)).catch(() => {});
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(join(dir, STATE_FILE));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return deserialize(bytes);
}
