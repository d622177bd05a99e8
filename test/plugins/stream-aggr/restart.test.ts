import { afterEach, describe, expect, it } from 'vitest';
import { MapSeriesIndex } from '../../../host/series/map-series-index.js';
import { batchOf, createTestHost, startProcessor, T0 } from './kit.js';
import type { TestHost } from '../../kit/context.js';

const M = 60_000;
const config = { rules: [{ match: 'req_total', interval: '1m', by: ['job'], outputs: ['total', 'count_samples'], ignore_first_sample_interval: '0s' }] };
const series = (i: number) => ({ __name__: 'req_total', job: 'api', instance: `i${i}` });

/** Each minute every one of 3 series grows by 10 + its number; 2 samples per series per minute. */
function minute(k: number): [Record<string, string>, number, number][] {
  const rows: [Record<string, string>, number, number][] = [];
  for (let i = 0; i < 3; i++) {
    rows.push([series(i), T0 + k * M + 15_000, 100 * i + k * (10 + i)]);
    rows.push([series(i), T0 + k * M + 45_000, 100 * i + k * (10 + i) + 5]);
  }
  return rows;
}

describe('stream_aggr across a restart', () => {
  let hosts: TestHost[] = [];
  afterEach(() => {
    for (const h of hosts) h.cleanup();
    hosts = [];
  });

  it('continues total exactly after stopping in the middle of an interval and starting on a new series index', async () => {
    const host = createTestHost();
    hosts.push(host);
    const first = await startProcessor(config, host);
    for (let k = 0; k < 3; k++) {
      host.clock.set(T0 + k * M + 45_000);
      await first.proc.consume(batchOf(host.series, minute(k)));
      host.clock.set(T0 + (k + 1) * M);
      await first.proc.tick();
    }
    host.clock.set(T0 + 3 * M + 15_000);
    await first.proc.consume(batchOf(host.series, minute(3).slice(0, 3)));
    await first.proc.flush();
    await first.proc.stop(); // what the host does on SIGTERM: the state goes to the data directory
    first.owned.teardown();

    // A new process: a new series index that numbers series differently, same data directory.
    const restarted = createTestHost({ dataRoot: host.dataRoot, series: new MapSeriesIndex() });
    restarted.series.resolve({ accountId: 0, projectId: 0 }, [{ name: '__name__', value: 'unrelated' }]);
    restarted.clock.set(T0 + 3 * M + 40_000);
    const second = await startProcessor(config, restarted, 2);
    await second.proc.consume(batchOf(restarted.series, minute(3).slice(3)));
    for (let k = 4; k < 6; k++) {
      restarted.clock.set(T0 + k * M);
      await second.proc.tick();
      restarted.clock.set(T0 + k * M + 45_000);
      await second.proc.consume(batchOf(restarted.series, minute(k)));
    }
    restarted.clock.set(T0 + 6 * M);
    await second.proc.tick();
    await second.proc.stop();
    second.owned.teardown();

    const before = first.sink.bySeries(host.series)['req_total:1m_by_job_total{job="api"}'];
    const after = second.sink.bySeries(restarted.series)['req_total:1m_by_job_total{job="api"}'];
    // First minute: the series start at 0, 100, 200 and add 5 each: 300 + 15. Each later minute
    // they add (10 + i) - 5 from the previous minute's last sample (18) and 5 inside it (15): +33.
    expect(before!.map(([t, v]) => [(t - T0) / M, v])).toEqual([[1, 315], [2, 348], [3, 381]]);
    expect(after!.map(([t, v]) => [(t - T0) / M, v])).toEqual([[4, 414], [5, 447], [6, 480]]);
    const counts = second.sink.bySeries(restarted.series)['req_total:1m_by_job_count_samples{job="api"}'];
    expect(counts!.map(([t, v]) => [(t - T0) / M, v])).toEqual([[4, 6], [5, 6], [6, 6]]); // minute 4 had samples on both sides of the restart
  });

  it('hands its state to the next generation in a hot swap', async () => {
    const host = createTestHost();
    hosts.push(host);
    const old = await startProcessor({ ...config, persist_state: false }, host);
    host.clock.set(T0 + 30_000);
    await old.proc.consume(batchOf(host.series, minute(0)));
    const state = structuredClone(old.proc.snapshot());
    await old.proc.stop();
    old.owned.teardown();
    const next = await startProcessor({ ...config, persist_state: false }, host, 2);
    next.proc.restore(state);
    host.clock.set(T0 + M);
    await next.proc.tick();
    expect(next.sink.bySeries(host.series)).toEqual({
      'req_total:1m_by_job_total{job="api"}': [[T0 + M, 315]],
      'req_total:1m_by_job_count_samples{job="api"}': [[T0 + M, 6]],
    });
    await next.proc.stop();
  });

  it('keeps the state of unchanged rules on a config reload and starts changed ones afresh', async () => {
    const host = createTestHost();
    hosts.push(host);
    const { proc, sink } = await startProcessor({ ...config, persist_state: false }, host);
    host.clock.set(T0 + 30_000);
    await proc.consume(batchOf(host.series, minute(0)));
    const changed = { rules: [config.rules[0], { ...config.rules[0], by: ['instance'], name: 'per-instance' }], persist_state: false };
    const { streamAggrSchema } = await import('../../../plugins/stream-aggr/config.js');
    expect(await proc.update(streamAggrSchema.parse(changed))).toBe(true);
    await proc.consume(batchOf(host.series, minute(0).slice(0, 1)));
    host.clock.set(T0 + M);
    await proc.tick();
    const r = sink.bySeries(host.series);
    expect(r['req_total:1m_by_job_total{job="api"}']).toEqual([[T0 + M, 315]]);
    // The changed rule started afresh in the middle of the interval, which it does not write.
    expect(r['req_total:1m_by_instance_total{instance="i0"}']).toBeUndefined();
    host.clock.set(T0 + M + 30_000);
    await proc.consume(batchOf(host.series, minute(1).slice(0, 1)));
    host.clock.set(T0 + 2 * M);
    await proc.tick();
    // Its first sample (0 at minute 0) counted from zero, then 10 more.
    expect(sink.bySeries(host.series)['req_total:1m_by_instance_total{instance="i0"}']).toEqual([[T0 + 2 * M, 10]]);
    await proc.stop();
  });
});
