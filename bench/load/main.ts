/**
 * Sluice's remote_write load generator.
 *
 *   node --import tsx bench/load/main.ts send --url http://127.0.0.1:8429/api/v1/write \
 *        [--protocol 1|2] [--series 100000] [--samples-per-body 2000] [--scrapes 5] \
 *        [--concurrency 4] [--duration 10s | --requests N] [--bodies file] [--json]
 *   node --import tsx bench/load/main.ts encode --out file [body options]
 *   node --import tsx bench/load/main.ts sink [--port 0]
 *
 * `send` pre-encodes the bodies (or loads them from `encode`'s file) and replays them, printing a
 * progress line each second on stderr and the result on stdout (`--json`: one JSON line).
 * `sink` runs a counting remote_write receiver until SIGTERM, printing its URL first.
 */
import { parseArgs } from 'node:util';
import { parseDuration } from '../../host/config/duration.js';
import { humanNumber } from '../lib/stats.js';
import { buildBodies, type EncodedBodies } from './body-builder.js';
import { loadBodies, saveBodies } from './bodies-file.js';
import { CountingSink } from './counting-sink.js';
import { replay, type ReplayProgress } from './replay.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string' },
    protocol: { type: 'string', default: '1' },
    series: { type: 'string', default: '100000' },
    'samples-per-body': { type: 'string', default: '2000' },
    scrapes: { type: 'string', default: '5' },
    seed: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '4' },
    duration: { type: 'string' },
    requests: { type: 'string' },
    bodies: { type: 'string' },
    out: { type: 'string' },
    port: { type: 'string', default: '0' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

const USAGE = `Usage:
  node --import tsx bench/load/main.ts send --url <remote_write URL> [options]
  node --import tsx bench/load/main.ts encode --out <file> [body options]
  node --import tsx bench/load/main.ts sink [--port 0]

Body options: --protocol 1|2 (1), --series N (100000), --samples-per-body N (2000),
  --scrapes N (5), --seed N (1), or --bodies <file> written by encode.
Send options: --concurrency N (4), --duration 10s | --requests N, --json (one JSON line on stdout).
sink: a counting remote_write receiver; GET /counts, POST /reset.`;

function int(name: string, text: string | undefined): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`--${name} must be a non-negative integer, got ${text}`);
  return n;
}

async function bodies(): Promise<EncodedBodies> {
  if (values.bodies !== undefined) return loadBodies(values.bodies);
  const protocol = int('protocol', values.protocol);
  if (protocol !== 1 && protocol !== 2) throw new RangeError(`--protocol must be 1 or 2, got ${protocol}`);
  const scrapes = int('scrapes', values.scrapes);
  // Timestamps end a scrape interval before now: receivers refuse samples far in the past or future.
  const intervalMs = 15_000;
  return buildBodies({ version: protocol, series: int('series', values.series), samplesPerBody: int('samples-per-body', values['samples-per-body']), scrapes, intervalMs, startMs: Date.now() - scrapes * intervalMs, seed: int('seed', values.seed) });
}

function progressLine(p: ReplayProgress): void {
  const line = `${(p.elapsedMs / 1000).toFixed(0)}s  ${humanNumber(p.currentRate)} samples/s now  ${humanNumber(p.acceptedSamples)} accepted  ${p.requests} requests  ${p.errors} errors`;
  process.stderr.write(process.stderr.isTTY ? `\r${line}\u001b[K` : `${line}\n`);
}

async function main(): Promise<void> {
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const command = positionals[0] ?? 'send';
  if (command === 'sink') {
    const sink = await CountingSink.start({ port: int('port', values.port) });
    process.stdout.write(`${sink.url}\n`);
    process.on('SIGTERM', () => void sink.close().then(() => process.exit(0)));
    return;
  }
  if (command !== 'send' && command !== 'encode') throw new TypeError(`unknown command ${command}; expected send, encode or sink`);
  // Checked before encoding, which takes seconds for 100k series.
  if (command === 'send' && values.url === undefined) throw new TypeError('send needs --url <remote_write endpoint>');
  if (command === 'encode' && values.out === undefined) throw new TypeError('encode needs --out <file>');
  const started = performance.now();
  const b = await bodies();
  const info = `${b.bodies.length} bodies, ${humanNumber(b.series)} series, v${b.version}, ${(b.compressedBytes / b.bodies.length / 1024).toFixed(1)} KiB snappy / ${(b.rawBytes / b.bodies.length / 1024).toFixed(1)} KiB raw per body, ${b.resets} counter resets, ready in ${((performance.now() - started) / 1000).toFixed(1)} s`;
  process.stderr.write(`${info}\n`);
  if (command === 'encode') {
    await saveBodies(values.out!, b);
    return;
  }
  const durationMs = values.duration === undefined ? undefined : parseDuration(values.duration);
  if (values.duration !== undefined && durationMs === undefined) throw new RangeError(`--duration: cannot parse ${values.duration}`);
  const opts = { url: values.url!, concurrency: Math.max(1, int('concurrency', values.concurrency)), onProgress: progressLine };
  const result = await replay(b, values.requests !== undefined ? { ...opts, requests: int('requests', values.requests) } : { ...opts, durationMs: durationMs ?? 10_000 });
  if (process.stderr.isTTY) process.stderr.write('\n');
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const errs = Object.entries(result.errors).map(([k, v]) => `${k}: ${v}`).join(', ') || 'none';
  process.stdout.write(
    `accepted ${humanNumber(result.acceptedPerSecond)} samples/s (${humanNumber(result.acceptedSamples)} samples, ${result.requests} requests in ${(result.elapsedMs / 1000).toFixed(1)} s)\n` +
      `latency p50 ${result.latencyMs.p50.toFixed(2)} ms  p90 ${result.latencyMs.p90.toFixed(2)} ms  p99 ${result.latencyMs.p99.toFixed(2)} ms  max ${result.latencyMs.max.toFixed(2)} ms\n` +
      `errors: ${errs}\n`,
  );
}

main().catch((err: Error) => {
  process.stderr.write(`${err.message}\n\n${USAGE}\n`);
  process.exit(2);
});
