import { readFile, writeFile } from 'node:fs/promises';
import { FLAGS, envName } from './flags.js';
import { configSchema } from '../config/config-schema.js';
import { describeSchema, type FieldDoc } from '../config/schema.js';
import type { PluginType } from '../plugin/plugin-type.js';

/**
 * The config reference in Markdown, generated from the flag definitions and the schemas so the
 * README never says something the code does not. `sluice docs` prints it; a test keeps the
 * README's copy identical.
 */
export function configReference(types: PluginType[]): string {
  const out: string[] = ['### Flags', '', '| flag | environment | default | description |', '|---|---|---|---|'];
  for (const f of FLAGS) out.push(`| \`--${f.name}\` | \`${envName(f.name)}\` | ${f.default !== undefined ? `\`${f.default}\`` : ''} | ${escape(f.description)} |`);
  out.push('', '### Config file', '', fieldTable(describeSchema(configSchema).filter((r) => !/^(sources|processors|sinks|queries)\./.test(r.path))));
  const builtin = types.filter((x) => x.origin === 'builtin').sort((a, b) => a.kind.localeCompare(b.kind) || a.type.localeCompare(b.type));
  for (const t of builtin) {
    out.push('', `### ${t.kind} \`${t.type}\` (${t.stability})`, '', t.description, '');
    out.push(t.docs.length > 0 ? fieldTable(t.docs) : '_No settings._');
  }
  return `${out.join('\n')}\n`;
}

function fieldTable(rows: FieldDoc[]): string {
  const lines = ['| key | type | default | description |', '|---|---|---|---|'];
  for (const r of rows) lines.push(`| \`${r.path}\` | ${escape(r.type)} | ${r.default !== undefined ? `\`${escape(r.default)}\`` : r.required ? '_required_' : ''} | ${escape(r.description)} |`);
  return lines.join('\n');
}

function escape(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** `sluice plugins`: one block per type. */
export function pluginList(types: PluginType[]): string {
  return types
    .map((t) => {
      const fields = t.docs.map((d) => `    ${d.path} (${d.type}${d.default !== undefined ? `, default ${d.default}` : d.required ? ', required' : ''}): ${d.description}`);
      return [`${t.kind} ${t.type}  [${t.stability}, ${t.origin}]`, `  ${t.description}`, ...fields].join('\n');
    })
    .join('\n\n');
}

export const README_BEGIN = '<!-- BEGIN GENERATED: sluice docs -->';
export const README_END = '<!-- END GENERATED: sluice docs -->';

/** Replaces the generated section of the README (`sluice docs --readme README.md`). */
export async function writeReadmeReference(file: string, reference: string): Promise<void> {
  const text = await readFile(file, 'utf8');
  const start = text.indexOf(README_BEGIN);
  const end = text.indexOf(README_END);
  if (start < 0 || end < start) throw new Error(`${file} has no ${README_BEGIN} ... ${README_END} section`);
  await writeFile(file, `${text.slice(0, start + README_BEGIN.length)}\n${reference}${text.slice(end)}`);
}
