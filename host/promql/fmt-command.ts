/**
 * `sluice promql fmt`: print expressions in canonical form, like `promtool promql format`.
 * Expressions come from the arguments, or one per line on stdin when there are none (or the
 * argument is `-`). Each result goes to stdout; each error, with its position, to stderr.
 */
import { createInterface } from 'node:readline';
import { PromQLError } from './errors.js';
import { parse } from './parser.js';
import { pretty } from './pretty.js';

export interface FmtIO {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const USAGE = `usage: sluice promql fmt [--] [EXPRESSION...]
Print each PromQL expression in Prometheus's canonical format. With no expression (or "-"),
read one expression per line from stdin. Exits 1 if any expression is invalid.
`;

/** Returns the exit code: 0 when every expression formatted, 1 when any failed. */
export async function promqlFmt(args: string[], io: FmtIO): Promise<number> {
  if (args[0] === '-h' || args[0] === '--help') {
    io.stdout.write(USAGE);
    return 0;
  }
  // Expressions may start with `-` (`-rate(x[5m])`), so only `--` is read as a separator.
  if (args[0] === '--') args = args.slice(1);
  const fromStdin = args.length === 0 || (args.length === 1 && args[0] === '-');
  let failed = false;
  const one = (expr: string, label: string): void => {
    try {
      io.stdout.write(pretty(parse(expr)) + '\n');
    } catch (e) {
      if (!(e instanceof PromQLError)) throw e;
      failed = true;
      io.stderr.write(`${label}${e.message}\n`);
    }
  };
  if (fromStdin) {
    let lineNo = 0;
    for await (const line of createInterface({ input: io.stdin, crlfDelay: Infinity })) {
      lineNo++;
      if (line.trim() === '') continue;
      one(line, `line ${lineNo}: `);
    }
  } else {
    for (const a of args) one(a, args.length > 1 ? `${JSON.stringify(a)}: ` : '');
  }
  return failed ? 1 : 0;
}
