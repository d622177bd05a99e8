import { z } from 'zod';
import { byteSize, duration, type ConfigSchema } from '../config/schema.js';

/**
 * Plain-data config fields for drop-in plugins, which are loaded from outside the project and
 * cannot share the host's zod instance. Converted to a strict zod object by the host.
 */
export type FieldSpecs = Record<string, FieldSpec>;

export interface FieldSpec {
  type: 'string' | 'number' | 'integer' | 'boolean' | 'duration' | 'bytes' | 'string_list' | 'string_map';
  description: string;
  default?: unknown;
  required?: boolean;
  enum?: string[];
}

export function isFieldSpecs(config: unknown): config is FieldSpecs {
  return typeof config === 'object' && config !== null && !('safeParse' in config);
}

export function fieldSpecsToSchema(specs: FieldSpecs): ConfigSchema {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, spec] of Object.entries(specs)) shape[name] = fieldToZod(spec);
  return z.strictObject(shape);
}

function fieldToZod(spec: FieldSpec): z.ZodType {
  const d = spec.default;
  switch (spec.type) {
    case 'duration':
      return withPresence(d === undefined ? duration(spec.description) : duration(spec.description, String(d)), spec, true);
    case 'bytes':
      return withPresence(d === undefined ? byteSize(spec.description) : byteSize(spec.description, d as string | number), spec, true);
    case 'string':
      return withPresence(spec.enum ? z.enum(spec.enum as [string, ...string[]]) : z.string(), spec);
    case 'number':
      return withPresence(z.number(), spec);
    case 'integer':
      return withPresence(z.number().int(), spec);
    case 'boolean':
      return withPresence(z.boolean(), spec);
    case 'string_list':
      return withPresence(z.array(z.string()), spec);
    case 'string_map':
      return withPresence(z.record(z.string(), z.string()), spec);
  }
}

function withPresence(t: z.ZodType, spec: FieldSpec, defaultApplied = false): z.ZodType {
  const described = defaultApplied ? t : t.describe(spec.description);
  if (spec.default !== undefined) return defaultApplied ? described : described.default(spec.default as never);
  return spec.required ? described : described.optional();
}
