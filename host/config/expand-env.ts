import type { ConfigIssue } from '../errors.js';

/**
 * Replaces `${NAME}` and `${NAME:-default}` in config text with environment values; `$$` is a
 * literal `$`. A variable that is unset and has no default is an issue, reported with its line.
 */
export function expandEnv(text: string, env: NodeJS.ProcessEnv): { text: string; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const out = text.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (match, name: string | undefined, fallback: string | undefined, offset: number) => {
    if (match === '$$') return '$';
    const value = env[name!];
    if (value !== undefined && value !== '') return value;
    if (fallback !== undefined) return fallback;
    const line = text.slice(0, offset).split('\n').length;
    issues.push({ path: `<line ${line}>`, message: `environment variable ${name} is not set (write \${${name}:-default} for a default)` });
    return '';
  });
  return { text: out, issues };
}
