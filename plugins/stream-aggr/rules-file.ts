/**
 * vmagent's `-streamAggr.config` file: a YAML list of rules, `%{ENV_VAR}` placeholders substituted
 * from the environment, validated with every problem reported at `<file>[i].<key>`.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { toConfigIssues } from '../../host/config/schema.js';
import { ConfigError, type ConfigIssue } from '../../host/errors.js';
import { ruleSchema, type RuleConfig } from '../../host/aggregation/rule-schema.js';

const rulesSchema = z.array(ruleSchema);

/** Replaces `%{NAME}` with the environment variable; an unset variable is an issue. */
export function substituteEnv(text: string, env: NodeJS.ProcessEnv, issues: ConfigIssue[], where: string): string {
  return text.replace(/%\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (all, name: string) => {
    const v = env[name];
    if (v === undefined) {
      issues.push({ path: where, message: `environment variable ${name} referenced as ${all} is not set` });
      return all;
    }
    return v;
  });
}

/** Parses and validates rules from YAML text; `where` names the file in issue paths. */
export function parseRulesYaml(text: string, where: string, env: NodeJS.ProcessEnv = process.env): { rules: RuleConfig[] } | { issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const substituted = substituteEnv(text, env, issues, where);
  if (issues.length > 0) return { issues };
  let doc: unknown;
  try {
    doc = parse(substituted) ?? [];
  } catch (err) {
    return { issues: [{ path: where, message: `cannot parse YAML: ${(err as Error).message}` }] };
  }
  const r = rulesSchema.safeParse(doc);
  return r.success ? { rules: r.data } : { issues: toConfigIssues(r.error, where) };
}

/** Loads a vmagent stream aggregation config file; throws ConfigError listing every problem. */
export function loadStreamAggrConfig(path: string, env: NodeJS.ProcessEnv = process.env): RuleConfig[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError([{ path, message: `cannot read stream aggregation config: ${(err as Error).message}` }]);
  }
  const r = parseRulesYaml(text, path, env);
  if ('issues' in r) throw new ConfigError(r.issues);
  return r.rules;
}
