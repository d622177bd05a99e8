import { BadInputError } from '../errors.js';
import type { PosRange } from './ast.js';

/**
 * A query Prometheus would reject, with where. `line` and `column` are 1-based, and the message
 * reads like Prometheus's own (`1:5: parse error: ...`) so users can compare the two.
 */
export class PromQLError extends BadInputError {
  readonly pos: PosRange;
  readonly line: number;
  readonly column: number;
  /** The message without the position prefix. */
  readonly detail: string;

  constructor(detail: string, pos: PosRange, query: string) {
    const { line, column } = lineColumn(query, pos.start);
    super(`${line}:${column}: parse error: ${detail}`);
    this.pos = pos;
    this.line = line;
    this.column = column;
    this.detail = detail;
  }
}

function lineColumn(query: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < query.length; i++) {
    if (query.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
