import { parseArgs } from 'node:util';

/** What `npm run bench -- ...` was asked to do. */
export interface RunnerArgs {
  /** Benchmark names (file ids or prefixes); empty runs them all. */
  selectors: string[];
  quick: boolean;
  repeats: number;
  json?: string;
  compare?: string;
  list: boolean;
  help: boolean;
}

export const RUNNER_USAGE = `Usage: npm run bench -- [name ...] [options]

Runs every bench/*.bench.ts (or the named ones) and prints one table.

  name               a benchmark file name without .bench.ts, or a prefix of one
  --quick            short run for iterating: one repeat, short loops
  --repeats <n>      repeats of noisy measurements, median reported (default 3, --quick 1)
  --json <file>      also write the figures and the environment as JSON
  --compare <file>   print the change of each figure against a JSON file from an earlier run
  --list             list the benchmarks and exit
  -h, --help         this text`;

/** Parses the runner's command line; a bad option is an error with the usage. */
export function parseRunnerArgs(argv: readonly string[]): RunnerArgs {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      quick: { type: 'boolean', default: false },
      repeats: { type: 'string' },
      json: { type: 'string' },
      compare: { type: 'string' },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const quick = values.quick ?? false;
  let repeats = quick ? 1 : 3;
  if (values.repeats !== undefined) {
    repeats = Number(values.repeats);
    if (!Number.isInteger(repeats) || repeats < 1) throw new RangeError(`--repeats must be a positive integer, got ${values.repeats}`);
  }
  const args: RunnerArgs = { selectors: positionals, quick, repeats, list: values.list ?? false, help: values.help ?? false };
  if (values.json !== undefined) args.json = values.json;
  if (values.compare !== undefined) args.compare = values.compare;
  return args;
}
