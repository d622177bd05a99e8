import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSluice, type RunningSluice } from '../kit/sluice-process.js';
import { startNodeExporter, type RunningNodeExporter } from './kit/node-exporter.js';
import { startPrometheus, type RunningPrometheus } from './kit/prometheus.js';
import { startVictoriaMetrics, type RunningVictoriaMetrics } from './kit/victoria-metrics.js';

/**
 * The gateway's first job, end to end with real programs: Prometheus scrapes node_exporter and
 * remote_writes to Sluice, Sluice forwards to VictoriaMetrics. The raw samples VictoriaMetrics
 * holds must be exactly the ones Prometheus holds itself.
 */
const SELECTOR = '{__name__=~"up|node_load1|node_memory_MemAvailable_bytes|node_cpu_seconds_total"}';

type Samples = Map<string, [number, number][]>;

describe('Prometheus → Sluice → VictoriaMetrics', () => {
  let exporter: RunningNodeExporter;
  let vm: RunningVictoriaMetrics;
  let sluice: RunningSluice;
  let prometheus: RunningPrometheus;
  const data = mkdtempSync(join(tmpdir(), 'sluice-e2e-'));

  beforeAll(async () => {
    exporter = await startNodeExporter();
    vm = await startVictoriaMetrics();
    sluice = await startSluice([`--remote-write.url=${vm.writeUrl}`, `--storage.path=${data}`]);
    prometheus = await startPrometheus({
      config: `
global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: node
    static_configs: [{ targets: ['${exporter.target}'] }]
remote_write:
  - url: ${sluice.url}/api/v1/write
    queue_config: { batch_send_deadline: 500ms, min_backoff: 100ms, max_backoff: 1s }
`,
    });
  });

  afterAll(async () => {
    await prometheus?.stop();
    sluice?.child.kill('SIGTERM');
    await sluice?.exited;
    await vm?.destroy();
    await exporter?.stop();
    rmSync(data, { recursive: true, force: true });
  });

  it('VictoriaMetrics holds exactly the series and raw samples Prometheus scraped', async () => {
    // Prometheus hands its first targets to the scrapers after ~5s; wait for 8 scrapes.
    for (let i = 0; i < 60 && ((await prometheusRaw(prometheus.url, 'up', Date.now() - 60_000, Date.now())).values().next().value?.length ?? 0) < 8; i++) {
      await new Promise((r) => setTimeout(r, 1_000));
    }
    // A window of scrapes Prometheus has certainly forwarded by now.
    const end = Date.now() - 3_000;
    const start = end - 5_000;

    const fromPrometheus = await prometheusRaw(prometheus.url, SELECTOR, start, end);
    let fromVm: Samples = new Map();
    for (let attempt = 0; attempt < 20; attempt++) {
      await vm.forceFlush();
      fromVm = toSamples(await vm.exportSeries(SELECTOR, { start, end }));
      if (sameSamples(fromVm, fromPrometheus)) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(fromPrometheus.size).toBeGreaterThan(5);
    expect([...fromVm.keys()].sort()).toEqual([...fromPrometheus.keys()].sort());
    for (const [series, samples] of fromPrometheus) expect(fromVm.get(series), series).toEqual(samples);
  });

  it('Sluice counted what it received and forwarded in its own metrics', async () => {
    const metrics = await (await fetch(`${sluice.url}/metrics`)).text();
    const received = Number(/sluice_component_samples_total\{component="remote_write\/in",direction="out"\} (\d+)/.exec(metrics)?.[1] ?? 0);
    const sunk = Number(/sluice_component_samples_total\{component="remote_write\/out",direction="in"\} (\d+)/.exec(metrics)?.[1] ?? 0);
    expect(received).toBeGreaterThan(0);
    expect(sunk).toBe(received);
  });
});

/** Raw samples in [start, end] from Prometheus itself: a range selector evaluated at `end`. */
async function prometheusRaw(url: string, selector: string, start: number, end: number): Promise<Samples> {
  const window = `${end - start}ms`;
  const q = new URLSearchParams({ query: `${selector}[${window}]`, time: String(end / 1000) });
  const body = (await (await fetch(`${url}/api/v1/query?${q}`)).json()) as { data: { result: { metric: Record<string, string>; values: [number, string][] }[] } };
  const out: Samples = new Map();
  for (const r of body.data.result) out.set(seriesKey(r.metric), r.values.map(([t, v]) => [Math.round(t * 1000), Number(v)]));
  return out;
}

function toSamples(series: { metric: Record<string, string>; values: (number | null)[]; timestamps: number[] }[]): Samples {
  const out: Samples = new Map();
  for (const s of series) out.set(seriesKey(s.metric), s.timestamps.map((t, i) => [t, s.values[i] ?? NaN]));
  return out;
}

function seriesKey(metric: Record<string, string>): string {
  return Object.keys(metric)
    .sort()
    .map((k) => `${k}=${metric[k]}`)
    .join(',');
}

function sameSamples(a: Samples, b: Samples): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of b) if (JSON.stringify(a.get(k)) !== JSON.stringify(v)) return false;
  return true;
}
