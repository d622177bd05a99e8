import { readFile, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import type { BenchEnvironment } from './environment.js';
import type { BenchResult } from './result.js';

/** Bumped when the file layout changes incompatibly, so `--compare` can refuse an old file clearly. */
export const REPORT_SCHEMA = 'sluice-bench/1';

/** What `--json <file>` writes: every figure plus the machine and commit it came from. */
export interface BenchReport {
  schema: typeof REPORT_SCHEMA;
  environment: BenchEnvironment;
  /** The command line that produced the figures, to reproduce them. */
  command: string;
  quick: boolean;
  results: BenchResult[];
}

const resultSchema = z.object({
  name: z.string(),
  metric: z.string(),
  value: z.number().nullable(),
  unit: z.string(),
  reference: z.string().optional(),
  referenceValue: z.number().nullable().optional(),
  ratio: z.number().nullable().optional(),
  better: z.enum(['higher', 'lower']).optional(),
  runs: z.array(z.number().nullable()).optional(),
  note: z.string().optional(),
});

// JSON has no NaN or Infinity: they are written as null and read back as NaN.
const reportSchema = z.object({
  schema: z.literal(REPORT_SCHEMA),
  environment: z.record(z.string(), z.unknown()),
  command: z.string(),
  quick: z.boolean(),
  results: z.array(resultSchema),
});

/** Writes a report as indented JSON. */
export async function writeReport(file: string, report: BenchReport): Promise<void> {
  await writeFile(file, JSON.stringify(report, null, 2) + '\n');
}

/** Reads a report written by writeReport; a file of another shape is an error naming the problem. */
export async function readReport(file: string): Promise<BenchReport> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new Error(`Cannot read benchmark report ${file}: ${(err as Error).message}`, { cause: err });
  }
  return parseReport(raw, file);
}

/** Validates a parsed report; `source` names it in the error. */
export function parseReport(raw: unknown, source: string): BenchReport {
  const parsed = reportSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '<root>'}: ${i.message}`).join('; ');
    throw new Error(`Cannot read benchmark report ${source}: ${issues}`);
  }
  const p = parsed.data;
  const num = (v: number | null | undefined) => (v === null ? NaN : v);
  return {
    schema: REPORT_SCHEMA,
    environment: p.environment as unknown as BenchEnvironment,
    command: p.command,
    quick: p.quick,
    results: p.results.map((r) => {
      const out: BenchResult = { name: r.name, metric: r.metric, value: num(r.value)!, unit: r.unit };
      if (r.reference !== undefined) out.reference = r.reference;
      if (r.referenceValue !== undefined) out.referenceValue = num(r.referenceValue)!;
      if (r.ratio !== undefined) out.ratio = num(r.ratio)!;
      if (r.better !== undefined) out.better = r.better;
      if (r.runs !== undefined) out.runs = r.runs.map((v) => num(v)!);
      if (r.note !== undefined) out.note = r.note;
      return out;
    }),
  };
}
