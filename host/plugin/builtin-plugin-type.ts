import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { describeSchema, validate } from '../config/schema.js';
import { PluginLoadError } from '../errors.js';
import type { Generation } from '../pipeline/component-slot.js';
import { createContext, type HostServices } from './create-context.js';
import { manifestProblems, manifestSchema } from './manifest-check.js';
import type { Consumer, PluginManifest } from './manifest.js';
import type { PluginType } from './plugin-type.js';

/** A plugin type whose module runs in the host's own thread (built-in plugins). */
export async function loadInProcessType(file: string): Promise<PluginType> {
  let mod: { default?: unknown };
  try {
    mod = await import(file);
  } catch (err) {
    throw new PluginLoadError(`Cannot load plugin ${file}: ${(err as Error).message}`, err);
  }
  const problems = manifestProblems(mod.default);
  if (problems.length > 0) throw new PluginLoadError(`Cannot load plugin ${file}: ${problems.join('; ')}`);
  const manifest = mod.default as PluginManifest;
  const schema = manifestSchema(manifest);
  const hash = createHash('sha256').update(await readFile(new URL(file))).digest('hex').slice(0, 16);
  return {
    kind: manifest.kind,
    type: manifest.type,
    stability: manifest.stability,
    description: manifest.description,
    origin: 'builtin',
    source: file,
    hash,
    docs: describeSchema(schema),
    example: manifest.example,
    validate: async (config, path) => validate(schema, config, path),
    instantiate: (services, id, generation, config, next) => instantiate(manifest, services, id, generation, config, next),
    dispose: async () => undefined,
  };
}

export async function instantiate(
  manifest: PluginManifest,
  services: HostServices,
  id: string,
  generation: number,
  config: unknown,
  next: Consumer,
): Promise<Generation> {
  const owned = createContext(services, id, generation);
  try {
    const component = await manifest.create(owned.ctx, config, next);
    return { number: generation, component, teardown: owned.teardown };
  } catch (err) {
    owned.teardown();
    throw new PluginLoadError(`Cannot create ${id}: ${(err as Error).message}`, err);
  }
}
