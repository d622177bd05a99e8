import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Benchmark } from './result.js';

/** A benchmark file found in bench/ before it is imported. */
export interface BenchFile {
  /** The file name without `.bench.ts`, which is what `npm run bench -- <name>` matches. */
  id: string;
  path: string;
}

/** Lists bench/*.bench.ts in name order. */
export async function listBenchFiles(dir: string): Promise<BenchFile[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.bench.ts')).sort();
  return names.map((n) => ({ id: n.slice(0, -'.bench.ts'.length), path: join(dir, n) }));
}

/**
 * Keeps the files a user asked for: a selector matches a file id exactly, or by prefix
 * (`remote-write` selects `remote-write-decode` and `remote-write-encode`). An unmatched selector is
 * an error listing what exists, rather than a silently empty run.
 */
export function selectBenchFiles(files: readonly BenchFile[], selectors: readonly string[]): BenchFile[] {
  if (selectors.length === 0) return [...files];
  const picked = new Set<BenchFile>();
  for (const s of selectors) {
    const exact = files.filter((f) => f.id === s);
    const matches = exact.length > 0 ? exact : files.filter((f) => f.id.startsWith(s));
    if (matches.length === 0) {
      throw new Error(`No benchmark named ${s}; available: ${files.map((f) => f.id).join(', ') || '(none)'}`);
    }
    for (const m of matches) picked.add(m);
  }
  return files.filter((f) => picked.has(f));
}

/** Imports a benchmark module and checks it default-exports a Benchmark. */
export async function loadBenchmark(file: BenchFile): Promise<Benchmark> {
  const mod = (await import(pathToFileURL(file.path).href)) as { default?: Partial<Benchmark> };
  const b = mod.default;
  if (!b || typeof b.run !== 'function' || typeof b.name !== 'string') {
    throw new Error(`${file.path} must default-export a Benchmark { name, description, run(options) }`);
  }
  return b as Benchmark;
}
