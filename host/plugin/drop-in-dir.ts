import { existsSync, readdirSync, readFileSync, statSync, watch, type FSWatcher } from 'node:fs';
import { join, resolve } from 'node:path';
import { contentHash } from './worker/worker-plugin-type.js';

/** One plugin in the drop-in directory: a `.js`/`.mjs` file, or a folder with an entry module. */
export interface DropInEntry {
  /** File name without extension, or folder name. */
  name: string;
  /** The file or folder as found. */
  path: string;
  /** The module to import. */
  entry: string;
  hash: string;
}

const MODULE_EXT = /\.(m?js)$/;

/** The plugins in `dir` now. Hidden files, editor leftovers and unrelated files are ignored. */
export function listDropIns(dir: string): DropInEntry[] {
  if (!existsSync(dir)) return [];
  const out: DropInEntry[] = [];
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    if (d.name.startsWith('.') || d.name.endsWith('~')) continue;
    const path = resolve(dir, d.name);
    try {
      if (d.isFile() && MODULE_EXT.test(d.name)) {
        out.push({ name: d.name.replace(MODULE_EXT, ''), path, entry: path, hash: contentHash(path) });
      } else if (d.isDirectory()) {
        const entry = folderEntry(path);
        if (entry) out.push({ name: d.name, path, entry, hash: contentHash(path) });
      }
    } catch {
      // Removed or replaced while we looked: the next scan sees the settled state.
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

function folderEntry(dir: string): string | undefined {
  const pkg = join(dir, 'package.json');
  if (existsSync(pkg)) {
    const main = (JSON.parse(readFileSync(pkg, 'utf8')) as { main?: string }).main;
    if (main && existsSync(join(dir, main))) return join(dir, main);
  }
  for (const name of ['index.mjs', 'index.js']) if (existsSync(join(dir, name)) && statSync(join(dir, name)).isFile()) return join(dir, name);
  return undefined;
}

/**
 * Calls `onChange` (debounced) when anything in the directory may have changed. fs.watch is
 * fast but may miss events on some file systems, so a slow poll backs it up.
 */
export class DropInWatcher {
  #onChange: () => void;
  #watcher: FSWatcher | undefined;
  #poll: NodeJS.Timeout | undefined;
  #debounce: NodeJS.Timeout | undefined;
  #debounceMs: number;

  constructor(dir: string, onChange: () => void, opts: { debounceMs?: number; pollMs?: number } = {}) {
    this.#onChange = onChange;
    this.#debounceMs = opts.debounceMs ?? 150;
    try {
      this.#watcher = watch(dir, { recursive: false }, () => this.#schedule());
      this.#watcher.on('error', () => undefined);
    } catch {
      this.#watcher = undefined;
    }
    this.#poll = setInterval(() => this.#schedule(), opts.pollMs ?? 2000);
    this.#poll.unref();
  }

  #schedule(): void {
    clearTimeout(this.#debounce);
    this.#debounce = setTimeout(() => this.#onChange(), this.#debounceMs);
    this.#debounce.unref();
  }

  close(): void {
    this.#watcher?.close();
    clearInterval(this.#poll);
    clearTimeout(this.#debounce);
  }
}
