import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { ConfigError, type ConfigIssue } from '../errors.js';
import { expandEnv } from './expand-env.js';

/** Reads a YAML config file, expands `${ENV}`, and parses it; syntax errors carry line and column. */
export async function readConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError([{ path: file, message: `cannot read config file: ${(err as Error).message}` }]);
  }
  return parseConfigText(text, env);
}

export function parseConfigText(text: string, env: NodeJS.ProcessEnv = process.env): unknown {
  const expanded = expandEnv(text, env);
  const doc = parseDocument(expanded.text, { prettyErrors: true, uniqueKeys: true });
  const issues: ConfigIssue[] = [...expanded.issues];
  for (const e of doc.errors) {
    const pos = e.linePos?.[0];
    issues.push({ path: pos ? `<line ${pos.line}, column ${pos.col}>` : '<yaml>', message: e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '') });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return doc.toJS() ?? {};
}
