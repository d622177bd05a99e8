import { z } from 'zod';
import type { ConfigIssue } from '../errors.js';
import { parseBytes, parseDuration } from './duration.js';

/**
 * Config schemas are zod schemas whose fields carry a description and a default; validation,
 * `sluice plugins` and the README's config reference all come from them.
 */
export type ConfigSchema<T = unknown> = z.ZodType<T>;

/** A Prometheus duration string, parsed to milliseconds; optional when it has a default. */
export function duration(description: string): ReturnType<typeof durationBase>;
export function duration(description: string, defaultValue: string): ReturnType<ReturnType<typeof durationBase>['prefault']>;
export function duration(description: string, defaultValue?: string) {
  const base = durationBase(description, defaultValue);
  return defaultValue === undefined ? base : base.prefault(defaultValue);
}

function durationBase(description: string, defaultValue?: string) {
  const text = z.string({ error: 'expected a duration such as 30s, 1m or 1h30m' });
  return parsedField(text, parseDuration, (v) => `invalid duration ${JSON.stringify(v)}; use e.g. 30s, 1m, 1h30m`, { format: 'duration', description, defaultValue });
}

/** A byte size (`64MiB`, `1GB`, or a plain number of bytes), parsed to bytes; optional when it has a default. */
export function byteSize(description: string): ReturnType<typeof byteSizeBase>;
export function byteSize(description: string, defaultValue: string | number): ReturnType<ReturnType<typeof byteSizeBase>['prefault']>;
export function byteSize(description: string, defaultValue?: string | number) {
  const base = byteSizeBase(description, defaultValue);
  return defaultValue === undefined ? base : base.prefault(defaultValue);
}

function byteSizeBase(description: string, defaultValue?: string | number) {
  const text = z.union([z.string(), z.number()], { error: 'expected a size such as 64MiB or 1GB' });
  return parsedField(text, parseBytes, (v) => `invalid size ${JSON.stringify(v)}; use e.g. 512KiB, 64MiB, 1GB`, { format: 'bytes', description, defaultValue });
}

/** A field written as text (a duration, a size) and validated into a number, documented by `format`. */
function parsedField<In extends string | number>(
  input: z.ZodType<In>,
  parse: (v: In) => number | undefined,
  problem: (v: In) => string,
  doc: { format: string; description: string; defaultValue: string | number | undefined },
) {
  return input
    .transform((v, ctx) => {
      const n = parse(v);
      if (n === undefined) {
        ctx.addIssue({ code: 'custom', message: problem(v) });
        return z.NEVER;
      }
      return n;
    })
    .meta({ format: doc.format, description: doc.description, ...(doc.defaultValue === undefined ? {} : { default: doc.defaultValue }) });
}

/** Turns zod issues into config issues with dotted paths below `base`. */
export function toConfigIssues(error: z.ZodError, base: string): ConfigIssue[] {
  return error.issues.map((issue) => {
    let path = joinPath(base, issue.path);
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') {
      const keys = (issue as { keys: string[] }).keys;
      message = `unknown key${keys.length > 1 ? 's' : ''} ${keys.map((k) => JSON.stringify(k)).join(', ')}`;
    }
    if (issue.code === 'invalid_union' && message === 'Invalid input') message = 'does not match any accepted form';
    if (path === '') path = '<root>';
    return { path, message };
  });
}

export function joinPath(base: string, segments: readonly PropertyKey[]): string {
  let out = base;
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else out += out === '' ? String(s) : `.${String(s)}`;
  }
  return out;
}

/** Validates and applies defaults; throws nothing, returns the value or the issues. */
export function validate<T>(schema: ConfigSchema<T>, value: unknown, base: string): { ok: true; value: T } | { ok: false; issues: ConfigIssue[] } {
  const r = schema.safeParse(value ?? {});
  return r.success ? { ok: true, value: r.data } : { ok: false, issues: toConfigIssues(r.error, base) };
}

/** One row of generated config documentation. */
export interface FieldDoc {
  path: string;
  type: string;
  default?: string;
  required: boolean;
  description: string;
}

/** Flattens a schema into documentation rows (nested objects as dotted paths, lists as `[]`). */
export function describeSchema(schema: ConfigSchema): FieldDoc[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const rows: FieldDoc[] = [];
  walk(json, '', rows, true);
  return rows;
}

interface JsonSchema {
  type?: string | string[];
  format?: string;
  description?: string;
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  additionalProperties?: JsonSchema | boolean;
}

function walk(s: JsonSchema, path: string, rows: FieldDoc[], required: boolean): void {
  if (path !== '') {
    rows.push({
      path,
      type: typeName(s),
      ...(s.default === undefined ? {} : { default: JSON.stringify(s.default) }),
      required,
      description: s.description ?? '',
    });
  }
  walkProperties(s, path === '' ? '' : `${path}.`, rows);
  if (s.items) walkProperties(s.items, `${path}[].`, rows);
}

function walkProperties(s: JsonSchema, prefix: string, rows: FieldDoc[]): void {
  for (const [key, child] of Object.entries(s.properties ?? {})) {
    walk(child, prefix + key, rows, (s.required ?? []).includes(key) && child.default === undefined);
  }
}

function typeName(s: JsonSchema): string {
  if (s.format === 'duration' || s.format === 'bytes') return s.format;
  if (s.enum) return s.enum.map((e) => JSON.stringify(e)).join(' | ');
  if (s.anyOf) return s.anyOf.map(typeName).join(' | ');
  const t = Array.isArray(s.type) ? s.type.join(' | ') : s.type ?? 'any';
  if (t === 'array') return `list of ${s.items ? typeName(s.items) : 'any'}`;
  if (t === 'object' && s.additionalProperties && typeof s.additionalProperties === 'object') return `map of ${typeName(s.additionalProperties)}`;
  return t;
}
