/**
 * The options a `#!/usr/bin/env -S node <options>` line passes to node: how the CLI is meant to be
 * started, which anything else that starts it (npm start, the end-to-end benchmark) must repeat.
 */
export function shebangNodeFlags(source: string): string[] {
  const first = source.slice(0, source.indexOf('\n') >>> 0);
  const match = /^#!\S*env(?:\s+-S)?\s+node((?:\s+\S+)*)\s*$/.exec(first);
  if (!match) throw new Error(`not a node shebang line: ${JSON.stringify(first)}`);
  return match[1]!.trim().split(/\s+/).filter((f) => f !== '');
}
