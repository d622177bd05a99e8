import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRunnerArgs } from '../../bench/lib/args.js';
import { selectBenchFiles, type BenchFile } from '../../bench/lib/discover.js';
import { describeEnvironment } from '../../bench/lib/environment.js';
import { readReport, REPORT_SCHEMA, writeReport } from '../../bench/lib/json.js';
import { median, quantileSorted } from '../../bench/lib/stats.js';

const dir = await mkdtemp(join(tmpdir(), 'sluice-bench-test-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('JSON report', () => {
  it('round-trips figures and environment, NaN included', async () => {
    const file = join(dir, 'r.json');
    const environment = describeEnvironment();
    const results = [
      { name: 'a', metric: 'tput', value: 12.5, unit: 'ops/s', reference: 'ts', referenceValue: 5, ratio: 2.5, runs: [12, 12.5, 13] },
      { name: 'b', metric: 'missing', value: NaN, unit: 'samples/s', note: 'peer not installed' },
    ];
    await writeReport(file, { schema: REPORT_SCHEMA, environment, command: 'npm run bench', quick: true, results });
    const back = await readReport(file);
    expect(back.environment).toEqual(environment);
    expect(back.results[0]).toEqual(results[0]);
    expect(back.results[1]!.value).toBeNaN();
    expect(back.results[1]!.note).toBe('peer not installed');
  });

  it('refuses a file that is not a report, naming the problem', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ schema: 'other', results: [] }));
    await expect(readReport(file)).rejects.toThrow(/bad\.json: schema/);
    await writeFile(file, '{not json');
    await expect(readReport(file)).rejects.toThrow(/Cannot read benchmark report/);
  });
});

describe('describeEnvironment', () => {
  it('names the node version, cores and the git commit of the checkout', () => {
    const env = describeEnvironment();
    expect(env.node).toBe(process.version);
    expect(env.cores).toBeGreaterThan(0);
    expect(env.gitCommit).toMatch(/^[0-9a-f]{40}$/);
    expect(env.cpuModel).not.toBe('');
  });
});

describe('selectBenchFiles', () => {
  const files: BenchFile[] = ['aggregate-kernel', 'e2e', 'remote-write-decode', 'remote-write-encode'].map((id) => ({ id, path: `/b/${id}.bench.ts` }));

  it('runs everything without a selector, and by exact name or prefix otherwise', () => {
    expect(selectBenchFiles(files, [])).toHaveLength(4);
    expect(selectBenchFiles(files, ['e2e']).map((f) => f.id)).toEqual(['e2e']);
    expect(selectBenchFiles(files, ['remote-write']).map((f) => f.id)).toEqual(['remote-write-decode', 'remote-write-encode']);
  });

  it('refuses an unknown name and lists the known ones', () => {
    expect(() => selectBenchFiles(files, ['nope'])).toThrow(/No benchmark named nope; available: aggregate-kernel, e2e/);
  });
});

describe('parseRunnerArgs', () => {
  it('defaults to three repeats, one with --quick', () => {
    expect(parseRunnerArgs([])).toMatchObject({ selectors: [], quick: false, repeats: 3 });
    expect(parseRunnerArgs(['e2e', '--quick', '--json', 'out.json'])).toMatchObject({ selectors: ['e2e'], quick: true, repeats: 1, json: 'out.json' });
    expect(parseRunnerArgs(['--compare', 'old.json', '--repeats', '5'])).toMatchObject({ compare: 'old.json', repeats: 5 });
  });

  it('refuses unknown options and bad repeat counts', () => {
    expect(() => parseRunnerArgs(['--fast'])).toThrow();
    expect(() => parseRunnerArgs(['--repeats', '0'])).toThrow(RangeError);
  });
});

describe('statistics', () => {
  it('median takes the middle value, or the mean of the middle two', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('quantiles use the nearest rank, so a percentile is a latency that really happened', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantileSorted(sorted, 0.5)).toBe(50);
    expect(quantileSorted(sorted, 0.99)).toBe(99);
    expect(quantileSorted(sorted, 1)).toBe(100);
    expect(quantileSorted([7], 0.99)).toBe(7);
  });
});
