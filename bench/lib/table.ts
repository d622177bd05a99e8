import type { BenchResult } from './result.js';
import { humanBytes, humanNumber } from './stats.js';

/** Formats a figure with its unit the way a reader scans a table: 1.23M samples/s, 512.00 MiB. */
export function formatValue(value: number, unit: string): string {
  if (unit === 'bytes') return humanBytes(value);
  if (unit === 'ratio' || unit === 'x') return `${value.toFixed(2)}x`;
  return `${humanNumber(value)} ${unit}`;
}

/** `1.85x`, or an empty cell when there is nothing to compare with. */
export function formatRatio(ratio: number | undefined): string {
  return ratio === undefined || !Number.isFinite(ratio) ? '' : `${ratio.toFixed(2)}x`;
}

/**
 * Renders results as a plain-text table, one row per figure, grouped by benchmark in the order
 * given. Plain text (not box drawing) so it pastes into a README or a pull request unchanged.
 */
export function formatTable(results: readonly BenchResult[]): string {
  const header = ['benchmark', 'metric', 'value', 'reference', 'ref value', 'ratio'];
  const rows: string[][] = [];
  let previous: string | undefined;
  for (const r of results) {
    rows.push([
      r.name === previous ? '' : r.name,
      r.metric,
      formatValue(r.value, r.unit),
      r.reference ?? '',
      r.referenceValue === undefined ? '' : formatValue(r.referenceValue, r.unit),
      formatRatio(r.ratio),
    ]);
    previous = r.name;
  }
  const notes = results.filter((r) => r.note).map((r) => `  note: ${r.name} ${r.metric}: ${r.note}`);
  return [renderColumns(header, rows, new Set([2, 4, 5])), ...notes].join('\n');
}

/** Aligns columns; those in `rightAligned` (numbers) are padded on the left. */
export function renderColumns(header: string[], rows: string[][], rightAligned: Set<number>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
