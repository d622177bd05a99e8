import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVictoriaMetrics, type RunningVictoriaMetrics } from '../kit/victoria-metrics.js';
import { exposition, formatRecords, peerInputSeries, sluiceOutput } from './series-set.js';

/**
 * VictoriaMetrics applies `-relabelConfig` to everything it ingests; the same rules in Sluice's
 * engine must produce exactly the series VictoriaMetrics stores. Covers the VictoriaMetrics
 * extensions (if:, keep_metrics, drop_metrics, replace_all, labelmap_all, keep_if_equal,
 * drop_if_equal), hashmod with VictoriaMetrics' xxhash64, and the Prometheus actions it shares.
 */
const RULES = [
  { action: 'drop_metrics', regex: 'go_.*' },
  { action: 'keep_metrics', regex: ['http_.*', 'node_.*', 'App_.*'] },
  { action: 'keep_metrics', regex: 'http_.*|App_.*|node_.*', if: '{method=~"GET|Post"}' },
  { action: 'keep', if: '{status!="503"}' },
  { if: '{method="Post"}', target_label: 'was_post', replacement: 'yes' },
  { action: 'drop', if: 'node_load1{status=~"5.."}' },
  { source_labels: ['addr'], regex: '([^:]+):(\\d+)', target_label: 'host', replacement: '$1' },
  { source_labels: ['path'], regex: '[/-]', target_label: 'path_flat', replacement: '_', action: 'replace_all' },
  { regex: '-', replacement: '_', action: 'labelmap_all' },
  { source_labels: ['status'], regex: '(?P<class>\\d)\\d\\d', target_label: 'status_class', replacement: '${class}xx' },
  { source_labels: ['host'], modulus: 7, target_label: 'shard', action: 'hashmod' },
  { regex: 'label_(.+)', replacement: 'copied_$1', action: 'labelmap' },
  { regex: 'label_.*|temp', action: 'labeldrop' },
  { source_labels: ['x', 'y'], action: 'drop_if_equal' },
  { if: '{__name__="App_Events_Total"}', source_labels: ['seq', 'seq'], action: 'keep_if_equal' },
];

let vm: RunningVictoriaMetrics;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sluice-relabel-vm-'));
  const file = path.join(dir, 'relabel.yml');
  await writeFile(file, stringify(RULES));
  vm = await startVictoriaMetrics({ flags: [`-relabelConfig=${file}`] });
});

afterAll(async () => {
  await vm?.destroy();
  await rm(dir, { recursive: true, force: true });
});

describe('relabeling against VictoriaMetrics', () => {
  it('stores exactly the series Sluice computes for the same rules', async () => {
    const series = peerInputSeries({ dashedNames: true });
    const ts = Date.now() - 60_000;
    const res = await fetch(`${vm.url}/api/v1/import/prometheus`, { method: 'POST', body: exposition(series, ts) });
    expect(res.status).toBe(204);
    await vm.forceFlush();
    const stored = await vm.exportSeries('{__name__=~".+"}', { start: ts - 1000, end: ts + 1000 });
    const want = sluiceOutput(RULES, series, { hashmod: 'xxhash64' });
    expect(want.length).toBeGreaterThan(6);
    expect(formatRecords(stored.map((s) => s.metric))).toEqual(want);
  });
});
