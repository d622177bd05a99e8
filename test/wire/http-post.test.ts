import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { postBlock } from '../../host/wire/http-post.js';

type Handler = (req: IncomingMessage, body: Buffer, res: ServerResponse) => void;

let server: Server | undefined;

/** A receiver on a free loopback port answering with `handler`; stopped after each test. */
async function receiver(handler: Handler): Promise<string> {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, Buffer.concat(chunks), res));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/write`;
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

const body = Uint8Array.from([1, 2, 3, 250, 0, 7]);
const never = new AbortController().signal;

describe('posting a remote_write body', () => {
  it('sends the body and the remote_write headers, and reports 2xx as delivered', async () => {
    let seen: { headers: IncomingMessage['headers']; body: Buffer } | undefined;
    const url = await receiver((req, b, res) => {
      seen = { headers: req.headers, body: b };
      res.writeHead(204).end();
    });
    expect(await postBlock(url, { authorization: 'Bearer t' }, 2, body, 5000, never)).toEqual({ kind: 'delivered', status: 204 });
    expect([...seen!.body]).toEqual([...body]);
    expect(seen!.headers).toMatchObject({
      'content-type': 'application/x-protobuf;proto=io.prometheus.write.v2.Request',
      'content-encoding': 'snappy',
      'x-prometheus-remote-write-version': '2.0.0',
      authorization: 'Bearer t',
    });
  });

  it('retries 5xx and 429 with the Retry-After they ask for, and drops other 4xx with the reason', async () => {
    const answers = [
      [503, { 'retry-after': '3' }, 'busy'],
      [429, {}, 'slow down'],
      [400, {}, 'out of order sample'],
    ] as const;
    let i = 0;
    const url = await receiver((_req, _b, res) => {
      const [status, headers, text] = answers[i++]!;
      res.writeHead(status, headers).end(text);
    });
    expect(await postBlock(url, {}, 1, body, 5000, never)).toMatchObject({ kind: 'retry', status: 503, retryAfterMs: 3000 });
    expect(await postBlock(url, {}, 1, body, 5000, never)).toMatchObject({ kind: 'retry', status: 429, message: expect.stringContaining('slow down') });
    expect(await postBlock(url, {}, 1, body, 5000, never)).toMatchObject({ kind: 'rejected', status: 400, message: expect.stringContaining('out of order sample') });
  });

  it('turns a refused connection, a silent receiver and an abort into retries', async () => {
    const url = await receiver(() => undefined);
    const refused = url.replace(/:\d+\//, ':9/');
    expect(await postBlock(refused, {}, 1, body, 5000, never)).toMatchObject({ kind: 'retry', status: 'network', message: expect.stringContaining('ECONNREFUSED') });
    expect(await postBlock(url, {}, 1, body, 200, never)).toMatchObject({ kind: 'retry', status: 'network', message: 'no answer within 200 ms' });
    const abort = new AbortController();
    const pending = postBlock(url, {}, 1, body, 5000, abort.signal);
    abort.abort();
    expect(await pending).toMatchObject({ kind: 'retry', status: 'network' });
  });
});
