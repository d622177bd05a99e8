import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeReference, type DecodedSeries } from '../../../host/wire/encode-reference.js';
import { snappyDecompress } from '../../../host/wire/snappy.js';

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  /** The body as sent (snappy). */
  body: Uint8Array;
  /** The uncompressed protobuf body. */
  raw: Uint8Array;
  series: DecodedSeries[];
}

/**
 * A remote_write endpoint for unit tests: decodes what it gets with the protobufjs reference and
 * answers with the status a test scripts (`answer`), so retries and refusals can be provoked.
 * The real-peer check of the same sink is test/peers/remote-write-sink-vm.test.ts.
 */
export class Receiver {
  readonly requests: ReceivedRequest[] = [];
  /** Status for the next request; default 204. Refused requests are not recorded. */
  answer: (req: { path: string }) => number = () => 204;
  #server: Server;
  url = '';

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(): Promise<Receiver> {
    const server = createServer();
    const r = new Receiver(server);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '';
        const status = r.answer({ path });
        if (status < 300) {
          const body = new Uint8Array(Buffer.concat(chunks));
          const raw = snappyDecompress(body, 1 << 30);
          const protocol = String(req.headers['content-type']).includes('v2') ? 2 : 1;
          r.requests.push({ path, headers: req.headers, body, raw, series: decodeReference(raw, protocol) });
        }
        res.writeHead(status, status === 503 ? { 'retry-after': '0' } : {}).end(status >= 300 ? 'scripted refusal' : '');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return r;
  }

  /** Every sample received, as `name{labels} ts value` rows in arrival order. */
  rows(): string[] {
    return this.requests.flatMap((q) => q.series.flatMap((s) => s.samples.map(([t, v]) => `${JSON.stringify(s.labels)} ${t} ${v}`)));
  }

  async waitForSamples(n: number, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.rows().length < n) {
      if (Date.now() > deadline) throw new Error(`expected ${n} samples, received ${this.rows().length}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
