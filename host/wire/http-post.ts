import http from 'node:http';
import https from 'node:https';

/** What one POST of a block came to, already sorted into the three ways a sender reacts. */
export type PostOutcome =
  | { kind: 'delivered'; status: number }
  /** 5xx, 429, or no answer at all: keep the data and try again. */
  | { kind: 'retry'; status: number | 'network'; retryAfterMs?: number; message: string }
  /** Any other 4xx: the receiver will never take this body; drop it, count it, log it. */
  | { kind: 'rejected'; status: number; message: string };

const CONTENT_TYPE = { 1: 'application/x-protobuf', 2: 'application/x-protobuf;proto=io.prometheus.write.v2.Request' } as const;
const VERSION = { 1: '0.1.0', 2: '2.0.0' } as const;

/**
 * Keep-alive connections per scheme, shared by every sender in the process. node:http rather
 * than fetch: fetch built a Request, a Response and web streams around every body, which cost
 * about a millisecond per request in the relay's profile.
 */
const AGENTS = {
  http: new http.Agent({ keepAlive: true, maxSockets: 256 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 256 }),
};

/** How much of an error answer is kept for the log line. */
const MAX_ERROR_TEXT = 512;

/**
 * POSTs a snappy-compressed remote_write body, whole or as pieces written one after the other;
 * never throws (network errors become `retry`).
 */
export function postBlock(
  url: string,
  headers: Record<string, string>,
  protocol: 1 | 2,
  body: Uint8Array | readonly Uint8Array[],
  timeoutMs: number,
  signal: AbortSignal,
): Promise<PostOutcome> {
  const parts = body instanceof Uint8Array ? [body] : body;
  let length = 0;
  for (const p of parts) length += p.length;
  return new Promise((resolve) => {
    const secure = url.startsWith('https:');
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const done = (outcome: PostOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    let req: http.ClientRequest;
    try {
      req = (secure ? https : http).request(url, {
        method: 'POST',
        agent: secure ? AGENTS.https : AGENTS.http,
        signal,
        headers: {
          'content-type': CONTENT_TYPE[protocol],
          'content-encoding': 'snappy',
          'content-length': String(length),
          'x-prometheus-remote-write-version': VERSION[protocol],
          'user-agent': 'Sluice',
          ...headers,
        },
      });
    } catch (err) {
      done({ kind: 'retry', status: 'network', message: (err as Error).message });
      return;
    }
    // The whole exchange, not just an idle socket, must finish in time.
    timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on('error', (err) => done({ kind: 'retry', status: 'network', message: err.message }));
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      let text = '';
      res.setEncoding('utf8');
      // Read to the end in every case, so the connection goes back to the pool.
      res.on('data', (chunk: string) => {
        if (text.length < MAX_ERROR_TEXT) text += chunk;
      });
      res.on('error', (err) => done({ kind: 'retry', status: 'network', message: err.message }));
      res.on('end', () => {
        if (status >= 200 && status < 300) return done({ kind: 'delivered', status });
        const message = `${status} ${res.statusMessage ?? ''}: ${text.slice(0, MAX_ERROR_TEXT)}`;
        if (status === 429 || status >= 500) {
          const header = res.headers['retry-after'];
          const retryAfterMs = parseRetryAfter(typeof header === 'string' ? header : null);
          return done({ kind: 'retry', status, message, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
        }
        done({ kind: 'rejected', status, message });
      });
    });
    for (let i = 0; i < parts.length - 1; i++) req.write(parts[i]!);
    req.end(parts.at(-1));
  });
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
