import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { snappyDecompress } from '../../host/wire/snappy.js';
import { negotiateRemoteWrite } from '../../host/wire/remote-write-request.js';
import { countSamples } from './sample-counter.js';

/** Larger decompressed bodies are refused; vmagent's blocks stay far below this. */
const MAX_BODY_BYTES = 256 << 20;

/** What the sink has received so far. */
export interface SinkCounts {
  requests: number;
  samples: number;
  histograms: number;
  /** Requests answered 400 because they would not decompress or parse. */
  rejected: number;
  /** Milliseconds since the epoch of the last accepted request; 0 before the first. */
  lastAt: number;
}

/**
 * A remote_write receiver that decodes and counts samples and throws them away: the end of the
 * line for relay benchmarks, so the figure is samples that really arrived, not samples a relay
 * claims to have accepted. `GET /counts` answers the counts as JSON; `POST /reset` zeroes them.
 */
export class CountingSink {
  readonly #server: Server;
  #counts: SinkCounts = emptyCounts();

  private constructor(server: Server) {
    this.#server = server;
  }

  /** Listens on `host:port` (port 0 picks a free one). */
  static async start(opts: { host?: string; port?: number } = {}): Promise<CountingSink> {
    let sink: CountingSink | undefined;
    const server = createServer((req, res) => sink!.#handle(req, res));
    server.keepAliveTimeout = 60_000;
    sink = new CountingSink(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve);
    });
    return sink;
  }

  get url(): string {
    const a = this.#server.address() as AddressInfo;
    return `http://${a.address}:${a.port}`;
  }

  get counts(): SinkCounts {
    return { ...this.#counts };
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.method === 'GET' && req.url === '/counts') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(this.#counts));
      return;
    }
    if (req.method === 'POST' && req.url === '/reset') {
      this.#counts = emptyCounts();
      res.writeHead(204).end();
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const version = negotiateRemoteWrite(req.headers['content-type'], req.headers['content-encoding']);
        const raw = snappyDecompress(Buffer.concat(chunks), MAX_BODY_BYTES);
        const c = countSamples(raw, version);
        this.#counts.requests++;
        this.#counts.samples += c.samples;
        this.#counts.histograms += c.histograms;
        this.#counts.lastAt = Date.now();
        res.writeHead(204).end();
      } catch (err) {
        this.#counts.rejected++;
        res.writeHead(400, { 'content-type': 'text/plain' }).end(`cannot decode remote_write body: ${(err as Error).message}\n`);
      }
    });
  }
}

function emptyCounts(): SinkCounts {
  return { requests: 0, samples: 0, histograms: 0, rejected: 0, lastAt: 0 };
}
