import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serialize } from 'node:v8';
import { afterEach, describe, expect, it } from 'vitest';
import type { AggregationSnapshot } from '../../../host/aggregation/stream-aggregation.js';
import { joinBytes } from '../../../host/aggregation/registry-capture.js';
import { MapSeriesIndex } from '../../../host/series/map-series-index.js';
import { STATE_FILE } from '../../../plugins/stream-aggr/state-file.js';
import type { TestHost } from '../../kit/context.js';
import { batchOf, createTestHost, startProcessor, T0 } from './kit.js';

const M = 60_000;
const N = 3000;
const config = { rules: [{ match: 'req_total', interval: '1m', by: ['job'], outputs: ['total', 'count_samples'], ignore_first_sample_interval: '0s' }] };
const rows = (at: number, value: (i: number) => number): [Record<string, string>, number, number][] =>
  Array.from({ length: N }, (_, i) => [{ __name__: 'req_total', job: `j${i % 3}`, instance: `i${i}` }, at, value(i)]);
const sumOfJob = (j: number) => Array.from({ length: N }, (_, i) => i).filter((i) => i % 3 === j).reduce((a, b) => a + b, 0);

describe('stream_aggr state written while running', () => {
  let hosts: TestHost[] = [];
  afterEach(() => {
    for (const h of hosts) h.cleanup();
    hosts = [];
  });

  /** Starts a new process on the same data directory at 0:40, sends 0:45 samples (value + 5), flushes at 1:00. */
  async function restartAndFlush(dataRoot: string) {
    const host = createTestHost({ dataRoot, series: new MapSeriesIndex() });
    host.clock.set(T0 + 40_000);
    const p = await startProcessor(config, host, 2);
    await p.proc.consume(batchOf(host.series, rows(T0 + 45_000, (i) => i + 5)));
    host.clock.set(T0 + M);
    await p.proc.tick();
    await p.proc.stop();
    p.owned.teardown();
    return p.sink.bySeries(host.series);
  }

  const continued = {
    'req_total:1m_by_job_total{job="j0"}': [[T0 + M, sumOfJob(0) + 5 * (N / 3)]],
    'req_total:1m_by_job_total{job="j1"}': [[T0 + M, sumOfJob(1) + 5 * (N / 3)]],
    'req_total:1m_by_job_total{job="j2"}': [[T0 + M, sumOfJob(2) + 5 * (N / 3)]],
    'req_total:1m_by_job_count_samples{job="j0"}': [[T0 + M, 2 * (N / 3)]],
    'req_total:1m_by_job_count_samples{job="j1"}': [[T0 + M, 2 * (N / 3)]],
    'req_total:1m_by_job_count_samples{job="j2"}': [[T0 + M, 2 * (N / 3)]],
  };

  /** A first process at 0:20 that has taken 0:15 samples (value i). */
  async function startWithSamples() {
    const host = createTestHost();
    hosts.push(host);
    const first = await startProcessor(config, host);
    host.clock.set(T0 + 20_000);
    await first.proc.consume(batchOf(host.series, rows(T0 + 15_000, (i) => i)));
    return { host, first };
  }

  it('restarts from the state of the instant a snapshot began, though samples kept arriving while it was written', async () => {
    const { host, first } = await startWithSamples();
    const saving = first.proc.persist();
    for (let k = 1; k <= 5; k++) {
      host.clock.set(T0 + 20_000 + k * 1000);
      await first.proc.consume(batchOf(host.series, rows(T0 + 20_000 + k * 1000, (i) => i + 1000 * k)));
    }
    await saving;
    first.owned.teardown(); // a crash: no final snapshot on stop

    expect(await restartAndFlush(host.dataRoot)).toEqual(continued);
  });

  it('restores a state file written before the format had sections', async () => {
    const { host, first } = await startWithSamples();
    // What an earlier Sluice wrote: v8.serialize of the snapshot, series keys in one buffer.
    const old = first.proc.snapshot() as AggregationSnapshot;
    const keys = old.rules[0]!.registry.slotSeries!;
    keys.bytes = joinBytes(keys.bytes as Uint8Array[]);
    first.owned.teardown();
    writeFileSync(join(first.owned.ctx.dataDir, STATE_FILE), serialize(old));

    expect(await restartAndFlush(host.dataRoot)).toEqual(continued);
  });
});
