import pino, { type Logger } from 'pino';

export type LogFormat = 'json' | 'logfmt';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * The process logger. JSON is pino's own line format; logfmt (Prometheus's default) is rendered
 * from the same record by a small synchronous destination, so both carry the same fields.
 */
export function createLogger(opts: { level: LogLevel; format: LogFormat; destination?: NodeJS.WritableStream }): Logger {
  const dest = opts.destination ?? process.stderr;
  const base = { level: opts.level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label: string) => ({ level: label }) } };
  if (opts.format === 'json') return pino(base, dest as pino.DestinationStream);
  return pino(base, { write: (line: string) => void dest.write(toLogfmt(JSON.parse(line) as Record<string, unknown>)) });
}

/** `ts=... level=info component=x msg="..." key=value`, quoting values that need it. */
export function toLogfmt(rec: Record<string, unknown>): string {
  const { time, level, msg, ...rest } = rec;
  const parts = [`ts=${String(time)}`, `level=${String(level)}`];
  for (const [k, v] of Object.entries(rest)) parts.push(`${k}=${quote(v)}`);
  if (msg !== undefined) parts.push(`msg=${quote(msg)}`);
  return `${parts.join(' ')}\n`;
}

function quote(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return /^[^\s"=]+$/.test(s) ? s : JSON.stringify(s);
}
