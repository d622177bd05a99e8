import { gunzipSync } from 'node:zlib';
import { BadInputError, TooLargeError, UnsupportedMediaError } from '../../host/errors.js';
import type { Label } from '../../host/series/labels.js';
import { WireError } from '../../host/wire/wire-error.js';

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** `extra_label=name=value` query args (repeatable), as VictoriaMetrics' import endpoints take them. */
export function extraLabels(query: URLSearchParams): Label[] {
  const out: Label[] = [];
  for (const arg of query.getAll('extra_label')) {
    const eq = arg.indexOf('=');
    const name = eq < 0 ? '' : arg.slice(0, eq);
    if (!LABEL_NAME.test(name)) throw new BadInputError(`invalid extra_label ${JSON.stringify(arg)}; expected name=value with a valid label name`);
    if (name === '__name__') throw new BadInputError('extra_label cannot set __name__');
    const i = out.findIndex((l) => l.name === name);
    if (i >= 0) out.splice(i, 1);
    out.push({ name, value: arg.slice(eq + 1) });
  }
  return out;
}

/**
 * The `timestamp` query arg for samples without one: unix seconds (fractions allowed), or
 * milliseconds when the number is too large to be seconds, or RFC 3339. Absent means now.
 */
export function defaultTimestamp(query: URLSearchParams, now: number): number {
  const raw = query.get('timestamp');
  if (raw === null || raw === '') return now;
  if (/^\d+(\.\d+)?$/.test(raw)) {
    const n = Number(raw);
    return n >= 1e11 ? Math.round(n) : Math.round(n * 1000);
  }
  const parsed = Date.parse(raw);
  if (Number.isNaN(parsed) || !/^\d{4}-\d{2}-\d{2}T/.test(raw)) throw new BadInputError(`invalid timestamp ${JSON.stringify(raw)}; expected unix seconds, milliseconds or RFC 3339`);
  return parsed;
}

/**
 * Whether the body is OpenMetrics (timestamps in seconds) rather than the Prometheus text format.
 * Any other Content-Type is read as the text format, as VictoriaMetrics does: `curl --data-binary`
 * sends application/x-www-form-urlencoded, and a body that is not exposition fails to parse (400).
 */
export function isOpenMetrics(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase() === 'application/openmetrics-text';
}

/** The body as sent, ungzipped when Content-Encoding says so, never over `maxBytes`. */
export function decodeBody(body: Uint8Array, encoding: string | undefined, maxBytes: number): Uint8Array {
  const enc = (encoding ?? '').trim().toLowerCase();
  if (enc === '' || enc === 'identity') return body;
  if (enc !== 'gzip' && enc !== 'x-gzip') throw new UnsupportedMediaError(`unsupported Content-Encoding ${JSON.stringify(encoding)}; expected gzip or none`);
  try {
    return gunzipSync(body, { maxOutputLength: maxBytes });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new TooLargeError(`gzip body inflates to more than max_request_bytes ${maxBytes}`);
    throw new WireError('gzip', `bad gzip body: ${(err as Error).message}`, err);
  }
}
