import { parseBytes, parseDuration } from '../config/duration.js';

export type FlagType = 'string' | 'boolean' | 'duration' | 'bytes' | 'list';

/** One command-line flag; its environment twin and its line in --help come from here. */
export interface FlagDef {
  name: string;
  type: FlagType;
  description: string;
  default?: string;
  /** Allowed values, for enumerations. */
  values?: string[];
  group: string;
}

export const FLAGS: FlagDef[] = [
  { group: 'General', name: 'config.file', type: 'string', description: 'Sluice YAML config file (pipelines of sources, processors and sinks). Without it, the flags below build the default gateway pipeline.' },
  { group: 'General', name: 'plugins.dir', type: 'string', description: 'Drop-in plugin directory: a .js/.mjs file or folder put there is loaded, replacing it hot-swaps it, removing it unloads it.' },
  { group: 'General', name: 'storage.path', type: 'string', default: 'sluice-data', description: 'Directory for persistent state (queues, snapshots) when no config file sets storage.path.' },
  { group: 'General', name: 'dry-run', type: 'boolean', default: 'false', description: 'Validate the config and plugins, report every problem with its path, and exit (non-zero on error).' },
  { group: 'General', name: 'shutdown.timeout', type: 'duration', default: '30s', description: 'How long SIGTERM/SIGINT waits for pipelines to drain and flush before exiting; a second signal exits at once.' },
  { group: 'General', name: 'kernels', type: 'string', default: 'auto', values: ['auto', 'simd', 'scalar', 'reference'], description: 'WebAssembly kernel build to use (auto: SIMD when the engine supports it), or the TypeScript reference implementations.' },
  { group: 'Web', name: 'web.listen-address', type: 'string', default: '0.0.0.0:9095', description: 'Address to serve HTTP on: ingestion, /metrics, /-/healthy, /-/ready, /-/reload, /api/v1/status/plugins.' },
  { group: 'Web', name: 'web.enable-lifecycle', type: 'boolean', default: 'false', description: 'Allow POST /-/reload (otherwise 403).' },
  { group: 'Web', name: 'web.max-request-bytes', type: 'bytes', default: '64MiB', description: 'Hard cap on any request body; sources may set lower limits.' },
  { group: 'Logging', name: 'log.level', type: 'string', default: 'info', values: ['debug', 'info', 'warn', 'error'], description: 'Only log messages at or above this level.' },
  { group: 'Logging', name: 'log.format', type: 'string', default: 'logfmt', values: ['logfmt', 'json'], description: 'Log line format.' },
  { group: 'Gateway (without --config.file)', name: 'remote-write.url', type: 'list', description: 'Remote storage URL to forward to (repeatable, or comma-separated in the environment). Without any, received series are served at /federate.' },
  { group: 'Gateway (without --config.file)', name: 'remote-write.tmp-data-path', type: 'string', description: 'Where the per-URL persistent queues live (default: <storage.path>/remote_write).' },
  { group: 'Gateway (without --config.file)', name: 'remote-write.max-disk-usage-per-url', type: 'bytes', default: '1GiB', description: 'Disk the queue of one URL may use while it is unreachable; past it the oldest data is dropped and counted.' },
  { group: 'Gateway (without --config.file)', name: 'remote-write.shard-by-url', type: 'boolean', default: 'false', description: 'Shard series across the URLs by a stable hash instead of sending every series to every URL.' },
  { group: 'Gateway (without --config.file)', name: 'relabel.config', type: 'string', description: 'File of Prometheus/vmagent relabel_configs applied to everything received.' },
  { group: 'Gateway (without --config.file)', name: 'tenants.config', type: 'string', description: 'File mapping bearer tokens to tenants ("<token>": "<account>[:<project>]"); with it, requests without a known token get 401.' },
  { group: 'Stream aggregation (without --config.file)', name: 'stream-aggr.config', type: 'string', description: 'vmagent stream aggregation rules file (-streamAggr.config), applied to everything received.' },
  { group: 'Stream aggregation (without --config.file)', name: 'stream-aggr.keep-input', type: 'boolean', default: 'false', description: 'Also forward the input samples that matched an aggregation rule.' },
  { group: 'Stream aggregation (without --config.file)', name: 'stream-aggr.drop-input', type: 'boolean', default: 'false', description: 'Drop every input sample, matched or not; forward only aggregation outputs.' },
  { group: 'Stream aggregation (without --config.file)', name: 'stream-aggr.dedup-interval', type: 'duration', description: 'Deduplicate input samples per series over this interval before aggregating (keeps the latest).' },
];

/** `--web.listen-address` → `SLUICE_WEB_LISTEN_ADDRESS`. */
export function envName(flag: string): string {
  return `SLUICE_${flag.replace(/[.-]/g, '_').toUpperCase()}`;
}

export type FlagValues = Record<string, string | boolean | number | string[] | undefined>;

export class FlagError extends Error {}

/**
 * Parses `--name=value`, `--name value` and bare booleans; a flag absent from argv falls back to
 * its environment twin, then to its default. Everything that is not a flag is returned as
 * positional arguments.
 */
export function parseFlags(argv: string[], env: NodeJS.ProcessEnv, defs: FlagDef[] = FLAGS): { values: FlagValues; positional: string[]; help: boolean } {
  const byName = new Map(defs.map((d) => [d.name, d]));
  const raw = new Map<string, string[]>();
  const positional: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const def = byName.get(name);
    if (!def) throw new FlagError(`unknown flag --${name} (see --help)`);
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else if (def.type === 'boolean') value = 'true';
    else if (i + 1 < argv.length) value = argv[++i]!;
    else throw new FlagError(`flag --${name} needs a value`);
    raw.set(name, [...(raw.get(name) ?? []), value]);
  }
  const values: FlagValues = {};
  for (const def of defs) {
    const given = raw.get(def.name) ?? (env[envName(def.name)] !== undefined ? [env[envName(def.name)]!] : undefined);
    const text = given ?? (def.default !== undefined ? [def.default] : undefined);
    values[def.name] = text === undefined ? (def.type === 'list' ? [] : undefined) : convert(def, text);
  }
  return { values, positional, help };
}

function convert(def: FlagDef, text: string[]): FlagValues[string] {
  const last = text[text.length - 1]!;
  const bad = (what: string) => new FlagError(`flag --${def.name}: ${JSON.stringify(last)} is not ${what}`);
  switch (def.type) {
    case 'list':
      return text.flatMap((t) => t.split(',')).map((s) => s.trim()).filter((s) => s !== '');
    case 'boolean':
      if (!['true', 'false', '1', '0'].includes(last)) throw bad('true or false');
      return last === 'true' || last === '1';
    case 'duration': {
      const ms = parseDuration(last);
      if (ms === undefined) throw bad('a duration such as 30s or 5m');
      return ms;
    }
    case 'bytes': {
      const b = parseBytes(last);
      if (b === undefined) throw bad('a size such as 64MiB');
      return b;
    }
    case 'string':
      if (def.values && !def.values.includes(last)) throw bad(`one of ${def.values.join(', ')}`);
      return last;
  }
}

/** The --help text: usage, subcommands, and every flag with its default and environment twin. */
export function helpText(defs: FlagDef[] = FLAGS): string {
  const lines = [
    'usage: sluice [flags]                  run the pipelines',
    '       sluice validate <config.yml>    validate a config file and the plugins it uses',
    '       sluice plugins                  list plugin types with their stability and config',
    '       sluice promql fmt [expr]        print PromQL in canonical form (expressions from stdin, one per line, without expr)',
    '       sluice docs                     print the config reference (Markdown)',
    '',
  ];
  for (const group of [...new Set(defs.map((d) => d.group))]) {
    lines.push(`${group}:`);
    for (const d of defs.filter((x) => x.group === group)) {
      const meta = d.type === 'boolean' ? '' : `=<${d.values ? d.values.join('|') : d.type}>`;
      lines.push(`  --${d.name}${meta}`);
      lines.push(`      ${d.description}`);
      lines.push(`      ${d.default !== undefined ? `default: ${d.default}; ` : ''}env: ${envName(d.name)}${d.type === 'list' ? ' (comma-separated)' : ''}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
