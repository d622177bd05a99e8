/** What one POST of a block came to, already sorted into the three ways a sender reacts. */
export type PostOutcome =
  | { kind: 'delivered'; status: number }
  /** 5xx, 429, or no answer at all: keep the data and try again. */
  | { kind: 'retry'; status: number | 'network'; retryAfterMs?: number; message: string }
  /** Any other 4xx: the receiver will never take this body; drop it, count it, log it. */
  | { kind: 'rejected'; status: number; message: string };

const CONTENT_TYPE = { 1: 'application/x-protobuf', 2: 'application/x-protobuf;proto=io.prometheus.write.v2.Request' } as const;
const VERSION = { 1: '0.1.0', 2: '2.0.0' } as const;

/** POSTs a snappy-compressed remote_write body; never throws (network errors become `retry`). */
export async function postBlock(
  url: string,
  headers: Record<string, string>,
  protocol: 1 | 2,
  body: Uint8Array,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<PostOutcome> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': CONTENT_TYPE[protocol],
        'content-encoding': 'snappy',
        'x-prometheus-remote-write-version': VERSION[protocol],
        'user-agent': 'Sluice',
        ...headers,
      },
      body,
      signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
    });
  } catch (err) {
    return { kind: 'retry', status: 'network', message: (err as Error).cause ? String((err as Error).cause) : (err as Error).message };
  }
  // Read the body in every case so the connection goes back to the pool.
  const text = await res.text().catch(() => '');
  if (res.status >= 200 && res.status < 300) return { kind: 'delivered', status: res.status };
  const message = `${res.status} ${res.statusText}: ${text.slice(0, 512)}`;
  if (res.status === 429 || res.status >= 500) {
    const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
    return { kind: 'retry', status: res.status, message, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  }
  return { kind: 'rejected', status: res.status, message };
}

/** Retry-After as seconds or an HTTP date, in milliseconds from now. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Exponential backoff with jitter, capped: attempt 0 waits about `min`, each further attempt
 * doubles it up to `max`; the wait is drawn from the upper half of that, so senders that failed
 * together do not retry together.
 */
export function backoffMs(attempt: number, min: number, max: number, random: () => number = Math.random): number {
  const base = Math.min(max, min * 2 ** Math.min(attempt, 30));
  return base / 2 + random() * (base / 2);
}

/** A URL fit for logs and metric labels: no credentials, no query string. */
export function redactUrl(url: string): string {
  const u = new URL(url);
  u.username = '';
  u.password = '';
  u.search = '';
  return u.toString();
}
