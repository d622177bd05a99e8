/**
 * `npm run bench -- [name ...] [--quick] [--json file] [--compare old.json]`: runs the benchmarks in
 * bench/, prints one table of figures with their reference and ratio, and optionally writes them as
 * JSON or compares them with an earlier run. Progress goes to stderr, the table to stdout.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseRunnerArgs, RUNNER_USAGE } from './lib/args.js';
import { compareResults, formatComparison } from './lib/compare.js';
import { listBenchFiles, loadBenchmark, selectBenchFiles } from './lib/discover.js';
import { describeEnvironment, formatEnvironment } from './lib/environment.js';
import { readReport, REPORT_SCHEMA, writeReport, type BenchReport } from './lib/json.js';
import type { BenchResult } from './lib/result.js';
import { formatTable } from './lib/table.js';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseRunnerArgs(argv);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${RUNNER_USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${RUNNER_USAGE}\n`);
    return 0;
  }
  const files = selectBenchFiles(await listBenchFiles(BENCH_DIR), args.selectors);
  if (args.list) {
    for (const f of files) process.stdout.write(`${f.id}\t${(await loadBenchmark(f)).description}\n`);
    return 0;
  }
  // Read the old report first, so a wrong path fails before minutes of benchmarking.
  const baseline = args.compare === undefined ? undefined : await readReport(args.compare);
  const environment = describeEnvironment(dirname(BENCH_DIR));
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const results: BenchResult[] = [];
  let failed = 0;
  for (const file of files) {
    const started = performance.now();
    log(`[bench] ${file.id} ...`);
    try {
      const bench = await loadBenchmark(file);
      results.push(...(await bench.run({ quick: args.quick, repeats: args.repeats, log: (l) => log(`[${file.id}] ${l}`) })));
      log(`[bench] ${file.id} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    } catch (err) {
      // One broken benchmark must not throw away the figures of the others.
      failed++;
      log(`[bench] ${file.id} FAILED: ${(err as Error).stack ?? String(err)}`);
    }
  }
  const command = `npm run bench --${argv.length > 0 ? ' ' + argv.join(' ') : ''}`;
  process.stdout.write(`\n${formatEnvironment(environment)}\n${command}\n\n${formatTable(results)}\n`);
  if (args.json !== undefined) {
    const report: BenchReport = { schema: REPORT_SCHEMA, environment, command, quick: args.quick, results };
    await writeReport(args.json, report);
    log(`[bench] wrote ${args.json}`);
  }
  if (baseline !== undefined) {
    process.stdout.write(`\nChange against ${args.compare} (commit ${baseline.environment.gitCommit.slice(0, 12)}):\n`);
    // Short loops warm the JIT less: a --quick run against a full one compares unlike figures.
    if (baseline.quick !== args.quick) process.stdout.write(`warning: comparing a ${args.quick ? 'quick' : 'full'} run with a ${baseline.quick ? 'quick' : 'full'} one; use the same mode for both\n`);
    process.stdout.write(`${formatComparison(compareResults(baseline.results, results, 0.05, args.selectors.length > 0 ? files.map((f) => f.id) : undefined))}\n`);
  }
  return failed === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  },
);
