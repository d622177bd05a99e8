import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { peerDataPath } from './peer-data.js';

export interface ParseCase {
  input: string;
  fail: boolean;
}

/** Prometheus's parser test inputs (promql-parse/cases.json), each marked valid or invalid. */
export function parseCases(): ParseCase[] {
  return JSON.parse(readFileSync(peerDataPath('promql-parse', 'cases.json'), 'utf8')) as ParseCase[];
}

export interface EvalExpression {
  /** `file:line`, for failure messages. */
  where: string;
  expr: string;
}

const EVAL_LINE = /^\s*eval(?:_\w+)?\s+(?:instant\s+at\s+\S+|range\s+from\s+\S+\s+to\s+\S+\s+step\s+\S+)\s+(.*)$/;

/** The expression of every `eval` line in promqltest/*.test. */
export function evalExpressions(): EvalExpression[] {
  const dir = peerDataPath('promqltest');
  const out: EvalExpression[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.test')).sort()) {
    readFileSync(path.join(dir, file), 'utf8').split('\n').forEach((line, i) => {
      const m = EVAL_LINE.exec(line);
      if (m) out.push({ where: `${file}:${i + 1}`, expr: m[1]!.trim() });
    });
  }
  return out;
}
