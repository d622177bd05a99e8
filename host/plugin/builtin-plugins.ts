import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PACKAGE_ROOT, RUNNING_FROM_SOURCE } from '../paths.js';
import { loadInProcessType } from './builtin-plugin-type.js';
import type { PluginType } from './plugin-type.js';

/** plugins/<folder>/index.ts from sources, dist/plugins/<folder>/index.js when built. */
export function builtinPluginFiles(): string[] {
  const dir = RUNNING_FROM_SOURCE ? join(PACKAGE_ROOT, 'plugins') : join(PACKAGE_ROOT, 'dist', 'plugins');
  const entry = RUNNING_FROM_SOURCE ? 'index.ts' : 'index.js';
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, entry)))
    .map((d) => join(dir, d.name, entry))
    .sort();
}

/** Loads every built-in plugin; a broken one is reported, not fatal to the others. */
export async function loadBuiltinTypes(): Promise<{ types: PluginType[]; errors: Error[] }> {
  const types: PluginType[] = [];
  const errors: Error[] = [];
  for (const file of builtinPluginFiles()) {
    try {
      types.push(await loadInProcessType(pathToFileURL(file).href));
    } catch (err) {
      errors.push(err as Error);
    }
  }
  return { types, errors };
}
