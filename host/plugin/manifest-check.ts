import type { ConfigSchema } from '../config/schema.js';
import { fieldSpecsToSchema, isFieldSpecs } from './field-spec.js';
import { PLUGIN_API_VERSION, PLUGIN_KINDS, type PluginManifest } from './manifest.js';

const STABILITIES = ['stable', 'beta', 'alpha', 'development'];
const TYPE_RE = /^[a-z][a-z0-9_]*$/;

/** Why a module's default export is not a usable manifest; empty when it is. */
export function manifestProblems(m: unknown): string[] {
  if (typeof m !== 'object' || m === null) return ['the module has no default export object (export default { kind, type, api, ... })'];
  const x = m as Partial<PluginManifest>;
  const problems: string[] = [];
  if (x.api !== PLUGIN_API_VERSION) problems.push(`manifest.api is ${JSON.stringify(x.api)}, expected ${PLUGIN_API_VERSION}`);
  if (!PLUGIN_KINDS.includes(x.kind as never)) problems.push(`manifest.kind is ${JSON.stringify(x.kind)}, expected one of ${PLUGIN_KINDS.join(', ')}`);
  if (typeof x.type !== 'string' || !TYPE_RE.test(x.type)) problems.push(`manifest.type ${JSON.stringify(x.type)} must be snake_case ([a-z][a-z0-9_]*)`);
  if (!STABILITIES.includes(x.stability as string)) problems.push(`manifest.stability is ${JSON.stringify(x.stability)}, expected one of ${STABILITIES.join(', ')}`);
  if (typeof x.create !== 'function') problems.push('manifest.create must be a function (ctx, config, next) => component');
  if (typeof x.config !== 'object' || x.config === null) problems.push('manifest.config must be a config schema or field specs');
  return problems;
}

/** The manifest's config as a schema, whether it was given as zod or as plain field specs. */
export function manifestSchema(m: PluginManifest): ConfigSchema {
  return isFieldSpecs(m.config) ? fieldSpecsToSchema(m.config) : m.config;
}
