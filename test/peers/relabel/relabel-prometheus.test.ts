import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus, type RunningPrometheus } from '../kit/prometheus.js';
import { exposition, formatRecords, peerInputSeries, sluiceOutput } from './series-set.js';

/**
 * Prometheus 2.42 scrapes a page of series with metric_relabel_configs; the same rules in Sluice's
 * engine, given the same series plus the job and instance labels Prometheus attaches before
 * metric relabeling, must produce exactly the series Prometheus stores. Covers every Prometheus
 * action, templates in target_label, named groups, replacement to "" and hashmod's md5.
 */
const RULES = [
  { source_labels: ['__name__'], regex: 'go_.*', action: 'drop' },
  { source_labels: ['__name__'], regex: 'http_.*|node_.*|App_.*', action: 'keep' },
  { source_labels: ['addr'], regex: '([^:]+):(\\d+)', target_label: 'host', replacement: '$1' },
  { source_labels: ['addr'], regex: '[^:]+:(\\d+)', target_label: 'port_$1', replacement: 'open' },
  { source_labels: ['status'], regex: '(?P<class>\\d)\\d\\d', target_label: 'status_class', replacement: '${class}xx' },
  { source_labels: ['host'], modulus: 7, target_label: 'shard', action: 'hashmod' },
  { source_labels: ['method'], target_label: 'method_lower', action: 'lowercase' },
  { source_labels: ['method', 'x'], target_label: 'method_upper', action: 'uppercase' },
  { regex: 'label_(.+)', replacement: 'copied_$1', action: 'labelmap' },
  { source_labels: ['nothing_here'], target_label: 'temp' },
  { source_labels: ['x'], target_label: 'y', action: 'dropequal' },
  { source_labels: ['copied_team'], target_label: 'copied_team', action: 'keepequal' },
  { regex: 'label_.*|path', action: 'labeldrop' },
  { regex: '__name__|job|instance|host|port_.*|status.*|shard|method.*|copied_.*|seq|x|y', action: 'labelkeep' },
];

let prom: RunningPrometheus;
let target: Server;
const series = peerInputSeries();

beforeAll(async () => {
  target = createServer((_, res) => {
    res.setHeader('Content-Type', 'text/plain; version=0.0.4');
    res.end(exposition(series));
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  const addr = `127.0.0.1:${(target.address() as AddressInfo).port}`;
  const config = {
    global: { scrape_interval: '1s', scrape_timeout: '500ms' },
    scrape_configs: [{ job_name: 'relabel', static_configs: [{ targets: [addr] }], metric_relabel_configs: RULES }],
  };
  prom = await startPrometheus({ config: stringify(config) });
});

afterAll(async () => {
  await prom?.stop();
  await new Promise((resolve) => target?.close(resolve));
});

async function storedSeries(): Promise<Record<string, string>[]> {
  const q = new URLSearchParams({ 'match[]': '{job="relabel"}' });
  const body = (await (await fetch(`${prom.url}/api/v1/series?${q}`)).json()) as { data: Record<string, string>[] };
  // Prometheus's own per-scrape series bypass metric relabeling.
  return body.data.filter((s) => !['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added'].includes(s.__name__!));
}

describe('relabeling against Prometheus', () => {
  it('stores exactly the series Sluice computes for the same metric_relabel_configs', async () => {
    const instance = (target.address() as AddressInfo).port;
    const want = sluiceOutput(RULES, series.map((s) => ({ ...s, job: 'relabel', instance: `127.0.0.1:${instance}` })));
    expect(want.length).toBeGreaterThan(10);
    let got: string[] = [];
    for (let i = 0; i < 100 && got.length < want.length; i++) {
      await new Promise((r) => setTimeout(r, 300));
      got = formatRecords(await storedSeries());
    }
    expect(got).toEqual(want);
  });
});
