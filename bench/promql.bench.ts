/**
 * The PromQL front end over Prometheus's own queries: the valid inputs of its parser tests and
 * every promqltest eval expression (from the peer data, `$SLUICE_PEER_TESTS` or
 * ../shared/peer-tests). Reports ns per query to parse (with type checking) and to print, and
 * the parse time of @prometheus-io/lezer-promql (the grammar Prometheus's UI uses, syntax only)
 * on the same corpus for reference, plus how often lezer's verdict agrees with Prometheus.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parser as lezer } from '@prometheus-io/lezer-promql';
import { type Expr, parse, pretty, print } from '../host/promql/index.js';
import type { Benchmark, BenchOptions, BenchResult } from './lib/result.js';
import { median } from './lib/stats.js';

const EVAL_LINE = /^\s*eval(?:_\w+)?\s+(?:instant\s+at\s+\S+|range\s+from\s+\S+\s+to\s+\S+\s+step\s+\S+)\s+(.*)$/;

function peerDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return process.env.SLUICE_PEER_TESTS ?? path.resolve(here, '../../shared/peer-tests');
}

interface Corpus {
  queries: string[];
  cases: Array<{ input: string; fail: boolean }>;
}

function loadCorpus(dir: string): Corpus {
  const cases = JSON.parse(readFileSync(path.join(dir, 'promql-parse/cases.json'), 'utf8')) as Corpus['cases'];
  const queries: string[] = [];
  for (const c of cases) {
    if (c.fail) continue;
    try {
      parse(c.input);
      queries.push(c.input);
    } catch {
      // the extraction faults listed in test/peers/promql-parse-cases.test.ts
    }
  }
  const evalDir = path.join(dir, 'promqltest');
  for (const f of readdirSync(evalDir).filter((x) => x.endsWith('.test')).sort()) {
    for (const line of readFileSync(path.join(evalDir, f), 'utf8').split('\n')) {
      const m = EVAL_LINE.exec(line);
      if (m) queries.push(m[1]!.trim());
    }
  }
  return { queries, cases };
}

/** Median over repeats of the ns per query for one pass of `fn` over the corpus. */
function nsPerQuery(count: number, pass: () => void, minMs: number, repeats: number): { value: number; runs: number[] } {
  for (let t = performance.now(); performance.now() - t < minMs / 4; ) pass(); // warm-up
  const runs: number[] = [];
  for (let r = 0; r < repeats; r++) {
    let passes = 0;
    const start = performance.now();
    while (performance.now() - start < minMs) {
      pass();
      passes++;
    }
    runs.push(((performance.now() - start) * 1e6) / (passes * count));
  }
  return { value: median(runs), runs };
}

function lezerAccepts(q: string): boolean {
  let ok = true;
  lezer.parse(q).iterate({
    enter: (n) => {
      if (n.type.isError) ok = false;
    },
  });
  return ok;
}

const bench: Benchmark = {
  name: 'promql',
  description: 'PromQL parse and print over the Prometheus parser and promqltest corpus, against lezer-promql',
  async run(options: BenchOptions): Promise<BenchResult[]> {
    const dir = peerDir();
    if (!existsSync(path.join(dir, 'promql-parse/cases.json'))) {
      return [{ name: 'promql-parse', metric: 'per query', value: NaN, unit: 'ns/op', note: `peer data not found at ${dir}` }];
    }
    const { queries, cases } = loadCorpus(dir);
    const trees: Expr[] = queries.map((q) => parse(q));
    const minMs = options.quick ? 200 : 1000;
    const repeats = options.repeats ?? (options.quick ? 1 : 3);
    const n = queries.length;

    const parseNs = nsPerQuery(n, () => queries.forEach((q) => parse(q)), minMs, repeats);
    const lezerNs = nsPerQuery(n, () => queries.forEach((q) => lezer.parse(q)), minMs, repeats);
    const printNs = nsPerQuery(n, () => trees.forEach((t) => print(t)), minMs, repeats);
    const prettyNs = nsPerQuery(n, () => trees.forEach((t) => pretty(t)), minMs, repeats);
    const lezerAgrees = cases.filter((c) => lezerAccepts(c.input) === !c.fail).length;
    const corpus = `${n} queries`;
    return [
      {
        name: 'promql-parse', metric: `parse+check, ${corpus}`, value: parseNs.value, unit: 'ns/op', runs: parseNs.runs,
        reference: 'lezer-promql parse', referenceValue: lezerNs.value, ratio: lezerNs.value / parseNs.value,
      },
      { name: 'promql-print', metric: `one line, ${corpus}`, value: printNs.value, unit: 'ns/op', runs: printNs.runs },
      { name: 'promql-print', metric: `pretty (format_query), ${corpus}`, value: prettyNs.value, unit: 'ns/op', runs: prettyNs.runs },
      {
        name: 'promql-parse', metric: 'verdicts agreeing with Prometheus (cases.json)', value: cases.length - 4, unit: 'cases',
        better: 'higher', reference: 'lezer-promql', referenceValue: lezerAgrees, ratio: (cases.length - 4) / lezerAgrees,
        note: `of ${cases.length} parser test inputs; 4 are extraction faults; lezer checks syntax only, no types`,
      },
    ];
  },
};

export default bench;
