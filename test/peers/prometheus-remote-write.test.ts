import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SampleBatch } from '../../host/batch/sample-batch.js';
import { isStaleNaN } from '../../host/batch/stale.js';
import { formatSeries, labelsFromRecord } from '../../host/series/labels.js';
import { parseValue } from '../../host/wire/text-parser.js';
import manifest from '../../plugins/remote-write-source/index.js';
import { createTestHost, type TestHost } from '../kit/context.js';
import { startTestServer } from '../kit/http.js';
import { startPrometheus, type RunningPrometheus } from './kit/prometheus.js';

/**
 * A real Prometheus 2.42 scrapes a small exporter served here and remote_writes into a
 * remote_write source; what the source received must be exactly what Prometheus's own query API
 * returns for the same series and timestamps.
 */

let host: TestHost;
let sluice: { url: string; close(): Promise<void> };
let exporter: Server;
let prometheus: RunningPrometheus;
const batches: SampleBatch[] = [];
let scrapes = 0;
/** Set to stop exposing one series, so Prometheus writes a stale marker for it. */
let dropTiny = false;

/** Counters that grow by odd fractions, gauges with NaN and ±Inf, labels needing escapes. */
function exposition(): string {
  scrapes++;
  return [
    '# HELP sluice_test_requests_total Requests served.',
    '# TYPE sluice_test_requests_total counter',
    `sluice_test_requests_total{code="200",method="GET"} ${scrapes * 1.25}`,
    `sluice_test_requests_total{code="500",method="POST"} ${scrapes * 3}`,
    '# TYPE sluice_test_temperature gauge',
    `sluice_test_temperature{room="lab \\"A\\"",path="C:\\\\tmp"} ${20 + (scrapes % 7) / 3}`,
    'sluice_test_weird{kind="nan"} NaN',
    'sluice_test_weird{kind="inf"} +Inf',
    'sluice_test_weird{kind="neg_inf"} -Inf',
    dropTiny ? '' : `sluice_test_weird{kind="tiny"} ${1e-300 * scrapes}`,
    '',
  ].join('\n');
}

beforeAll(async () => {
  host = createTestHost();
  const source = await manifest.create(host.context('remote_write/prometheus').ctx, (manifest.config as any).parse({}), {
    async consume(b) {
      batches.push(b);
    },
  });
  await source.start?.();
  sluice = await startTestServer(host.router);
  exporter = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(exposition());
  });
  await new Promise<void>((resolve) => exporter.listen(0, '127.0.0.1', resolve));
  const exporterPort = (exporter.address() as AddressInfo).port;
  prometheus = await startPrometheus({
    config: [
      'global:',
      '  scrape_interval: 1s',
      'scrape_configs:',
      '  - job_name: sluice-test',
      `    static_configs: [{ targets: ['127.0.0.1:${exporterPort}'] }]`,
      'remote_write:',
      `  - url: ${sluice.url}/api/v1/write`,
      '    queue_config: { batch_send_deadline: 1s, max_samples_per_send: 100, min_backoff: 100ms, max_backoff: 1s }',
      '    metadata_config: { send_interval: 2s }',
      '',
    ].join('\n'),
  });
});

afterAll(async () => {
  await prometheus?.stop();
  await new Promise<void>((resolve) => (exporter ? exporter.close(() => resolve()) : resolve()));
  await sluice?.close();
  host?.cleanup();
});

/** Every received float sample by series, in the form Prometheus's API prints. */
function received(): Map<string, Map<number, number>> {
  const out = new Map<string, Map<number, number>>();
  for (const b of batches) {
    for (let i = 0; i < b.length; i++) {
      const key = formatSeries(host.series.labels(b.refs[i]!));
      let m = out.get(key);
      if (!m) out.set(key, (m = new Map()));
      m.set(b.ts[i]!, b.values[i]!);
    }
  }
  return out;
}

async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${prometheus.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Raw samples of every series Prometheus stored for the job, from a range-vector instant query. */
async function stored(): Promise<Map<string, Map<number, number>>> {
  const url = new URL('/api/v1/query', prometheus.url);
  url.searchParams.set('query', '{job="sluice-test"}[10m]');
  url.searchParams.set('time', String(Date.now() / 1000));
  const body = (await (await fetch(url)).json()) as { status: string; data: { result: { metric: Record<string, string>; values: [number, string][] }[] } };
  expect(body.status).toBe('success');
  const out = new Map<string, Map<number, number>>();
  for (const s of body.data.result) {
    const samples = new Map<number, number>();
    // Prometheus prints +Inf, -Inf and NaN, which Number() does not all read.
    for (const [t, v] of s.values) samples.set(Math.round(t * 1000), parseValue(v));
    out.set(formatSeries(labelsFromRecord(s.metric)), samples);
  }
  return out;
}

describe('Prometheus remote_write into Sluice', () => {
  it('receives the same series, timestamps and values that Prometheus stored', async () => {
    const wanted = ['sluice_test_requests_total', 'sluice_test_temperature', 'sluice_test_weird', 'up', 'scrape_duration_seconds'];
    const enough = () => {
      const got = received();
      return wanted.every((name) => [...got].some(([k, m]) => k.startsWith(`${name}{`) && m.size >= 4));
    };
    await waitFor(enough, 90_000, 'four scrapes of every series to arrive');
    const mine = received();
    const theirs = await stored();
    let compared = 0;
    for (const [series, samples] of mine) {
      if (!series.includes('job="sluice-test"')) continue;
      const expected = theirs.get(series);
      expect(expected, `Prometheus has no series ${series}; it has ${[...theirs.keys()].join(', ')}`).toBeDefined();
      for (const [ts, value] of samples) {
        const want = expected!.get(ts);
        expect(want, `${series} at ${ts}`).toBeDefined();
        // NaN compares equal to NaN here; ±Inf, 1e-300 multiples and fractions must match exactly.
        expect(Object.is(value, want) || (Number.isNaN(value) && Number.isNaN(want)), `${series} at ${ts}: ${value} vs ${want}`).toBe(true);
        compared++;
      }
    }
    expect(compared).toBeGreaterThanOrEqual(4 * 9);
    expect([...mine.keys()].some((k) => k.startsWith('sluice_test_temperature{') && k.includes('path="C:\\\\tmp"') && k.includes('room="lab \\"A\\""'))).toBe(true);
    const answered = (await host.registry.getSingleMetric('sluice_source_requests_total')!.get()).values;
    expect(answered.filter((v) => v.labels.code !== '204')).toEqual([]);
  });

  it('receives the metadata Prometheus sends for scraped families', async () => {
    await waitFor(() => batches.some((b) => b.side?.metadata?.some((m) => m.metricFamilyName === 'sluice_test_requests_total')), 30_000, 'metadata');
    const meta = batches.flatMap((b) => b.side?.metadata ?? []).find((m) => m.metricFamilyName === 'sluice_test_requests_total')!;
    expect(meta).toMatchObject({ type: 'counter', help: 'Requests served.' });
  });

  it('receives the stale marker Prometheus writes for a vanished series, bit-exact', async () => {
    dropTiny = true;
    const staleTiny = () =>
      batches.some((b) => {
        for (let i = 0; i < b.length; i++) {
          if (isStaleNaN(b.values[i]!) && formatSeries(host.series.labels(b.refs[i]!)).startsWith('sluice_test_weird{instance=')) {
            if (formatSeries(host.series.labels(b.refs[i]!)).endsWith(',kind="tiny"}')) return true;
          }
        }
        return false;
      });
    await waitFor(staleTiny, 30_000, 'a stale marker for sluice_test_weird{kind="tiny"}');
  });
});
