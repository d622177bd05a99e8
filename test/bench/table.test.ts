import { describe, expect, it } from 'vitest';
import type { BenchResult } from '../../bench/lib/result.js';
import { formatRatio, formatTable, formatValue } from '../../bench/lib/table.js';

const results: BenchResult[] = [
  { name: 'aggregate-kernel', metric: 'typescript', value: 6_020_000, unit: 'samples/s' },
  { name: 'aggregate-kernel', metric: 'wasm-simd', value: 13_500_000, unit: 'samples/s', reference: 'typescript', referenceValue: 6_020_000, ratio: 2.2425 },
  { name: 'e2e-vmagent-relay', metric: 'peak RSS', value: 80 * 2 ** 20, unit: 'bytes', note: 'median of 3' },
];

describe('formatTable', () => {
  it('prints one row per figure with its reference and ratio', () => {
    const lines = formatTable(results).split('\n');
    expect(lines[0]).toMatch(/^benchmark\s+metric\s+value\s+reference\s+ref value\s+ratio$/);
    const simd = lines.find((l) => l.includes('wasm-simd'))!;
    expect(simd).toContain('13.5M samples/s');
    expect(simd).toContain('typescript');
    expect(simd).toContain('6.02M samples/s');
    expect(simd).toMatch(/2\.24x$/);
  });

  it('names a benchmark once for its group of rows', () => {
    const lines = formatTable(results).split('\n');
    expect(lines.filter((l) => l.startsWith('aggregate-kernel'))).toHaveLength(1);
    expect(lines.find((l) => l.includes('wasm-simd'))!.startsWith(' ')).toBe(true);
  });

  it('right-aligns the value column so magnitudes line up', () => {
    const lines = formatTable(results).split('\n');
    const ends = ['typescript', 'wasm-simd', 'peak RSS'].map((m) => {
      const line = lines.find((l) => l.includes(m))!;
      const value = m === 'peak RSS' ? '80.00 MiB' : m === 'typescript' ? '6.02M samples/s' : '13.5M samples/s';
      return line.indexOf(value) + value.length;
    });
    expect(new Set(ends).size).toBe(1);
  });

  it('lists notes under the table', () => {
    expect(formatTable(results)).toMatch(/note: e2e-vmagent-relay peak RSS: median of 3$/);
  });
});

describe('formatValue', () => {
  it('uses unit prefixes for rates, binary units for bytes and an x for ratios', () => {
    expect(formatValue(1_234_567, 'samples/s')).toBe('1.23M samples/s');
    expect(formatValue(999, 'ops/s')).toBe('999 ops/s');
    expect(formatValue(0.0123, 'ms')).toBe('0.0123 ms');
    expect(formatValue(1536, 'bytes')).toBe('1.50 KiB');
    expect(formatValue(0.98, 'ratio')).toBe('0.98x');
  });

  it('shows a missing figure as NaN rather than a made-up number', () => {
    expect(formatValue(NaN, 'samples/s')).toBe('NaN samples/s');
    expect(formatRatio(undefined)).toBe('');
    expect(formatRatio(NaN)).toBe('');
  });
});
