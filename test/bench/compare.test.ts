import { describe, expect, it } from 'vitest';
import { compareResults, formatComparison, higherIsBetter } from '../../bench/lib/compare.js';
import type { BenchResult } from '../../bench/lib/result.js';

const r = (metric: string, value: number, unit: string, extra: Partial<BenchResult> = {}): BenchResult => ({ name: 'x', metric, value, unit, ...extra });

describe('compareResults', () => {
  it('calls a faster throughput better and a slower one worse', () => {
    const [up] = compareResults([r('tput', 100, 'samples/s')], [r('tput', 150, 'samples/s')]);
    expect(up).toMatchObject({ before: 100, after: 150, change: 0.5, verdict: 'better' });
    const [down] = compareResults([r('tput', 100, 'samples/s')], [r('tput', 80, 'samples/s')]);
    expect(down!.verdict).toBe('worse');
  });

  it('calls a lower latency, memory or cpu time better', () => {
    expect(compareResults([r('p99', 10, 'ms')], [r('p99', 5, 'ms')])[0]!.verdict).toBe('better');
    expect(compareResults([r('rss', 100, 'bytes')], [r('rss', 200, 'bytes')])[0]!.verdict).toBe('worse');
    expect(compareResults([r('cpu', 2, 's')], [r('cpu', 1, 's')])[0]!.verdict).toBe('better');
  });

  it('lets a figure say which way is better, overriding its unit', () => {
    const before = [r('errors', 10, 'requests', { better: 'lower' })];
    expect(compareResults(before, [r('errors', 2, 'requests', { better: 'lower' })])[0]!.verdict).toBe('better');
  });

  it('treats changes under the noise threshold as unchanged', () => {
    expect(compareResults([r('t', 100, 'ops/s')], [r('t', 104, 'ops/s')])[0]!.verdict).toBe('same');
    expect(compareResults([r('t', 100, 'ops/s')], [r('t', 104, 'ops/s')], 0.01)[0]!.verdict).toBe('better');
  });

  it('reports figures that appeared or disappeared', () => {
    const changes = compareResults([r('old', 1, 'ops/s')], [r('new', 2, 'ops/s')]);
    expect(changes.map((c) => [c.metric, c.verdict])).toEqual([
      ['new', 'new'],
      ['old', 'gone'],
    ]);
  });

  it('does not call the figures of benchmarks that were not run gone', () => {
    const before = [r('t', 1, 'ops/s'), { ...r('t', 1, 'ops/s'), name: 'e2e-vmagent' }, { ...r('u', 1, 'ops/s'), name: 'e2e-vmagent' }];
    const after = [{ ...r('t', 1, 'ops/s'), name: 'e2e-vmagent' }];
    expect(compareResults(before, after, 0.05, ['e2e']).map((c) => c.verdict)).toEqual(['same', 'gone']);
    expect(compareResults(before, after).map((c) => c.verdict)).toEqual(['same', 'gone', 'gone']);
  });

  it('pairs figures by benchmark and metric, not by position', () => {
    const before = [r('a', 1, 'ops/s'), { ...r('a', 10, 'ops/s'), name: 'y' }];
    const after = [{ ...r('a', 20, 'ops/s'), name: 'y' }, r('a', 1, 'ops/s')];
    const changes = compareResults(before, after);
    expect(changes.find((c) => c.name === 'y')).toMatchObject({ before: 10, after: 20 });
    expect(changes.find((c) => c.name === 'x')!.verdict).toBe('same');
  });

  it('gives no percentage when the old value was zero or missing', () => {
    const [c] = compareResults([r('e', 0, 'requests')], [r('e', 3, 'requests')]);
    expect(c!.change).toBeUndefined();
    expect(compareResults([r('t', NaN, 'ops/s')], [r('t', 3, 'ops/s')])[0]!.change).toBeUndefined();
  });
});

describe('higherIsBetter', () => {
  it('infers the direction from the unit', () => {
    expect(higherIsBetter({ unit: 'samples/s' })).toBe(true);
    expect(higherIsBetter({ unit: 'samples/cpu-s' })).toBe(true);
    expect(higherIsBetter({ unit: 'ns/op' })).toBe(false);
    expect(higherIsBetter({ unit: 'bytes/series' })).toBe(false);
  });
});

describe('formatComparison', () => {
  it('prints signed percentages and a summary', () => {
    const text = formatComparison(compareResults([r('t', 100, 'ops/s'), r('p', 10, 'ms')], [r('t', 150, 'ops/s'), r('p', 20, 'ms')]));
    expect(text).toMatch(/t\s+100 ops\/s\s+150 ops\/s\s+\+50\.0%\s+better/);
    expect(text).toMatch(/p\s+10\.0 ms\s+20\.0 ms\s+\+100\.0%\s+worse/);
    expect(text).toMatch(/1 better, 1 worse/);
  });
});
