import { afterEach, describe, expect, it } from 'vitest';
import filter from '../../../plugins/filter/index.js';
import type { SampleBatch } from '../../../host/batch/sample-batch.js';
import { STALE_NAN, isStaleNaN } from '../../../host/batch/stale.js';
import type { Tenant } from '../../../host/batch/tenant.js';
import { validate } from '../../../host/config/schema.js';
import { LimitExceededError } from '../../../host/errors.js';
import type { Component } from '../../../host/plugin/manifest.js';
import { labelsFromRecord } from '../../../host/series/labels.js';
import { createTestHost, type TestHost } from '../../kit/context.js';
import { RecordingConsumer } from '../../kit/recording-consumer.js';

const A: Tenant = { accountId: 1, projectId: 0 };
const B: Tenant = { accountId: 2, projectId: 0 };
const MIN = 60_000;
const HOUR = 60 * MIN;

let host: TestHost;
afterEach(() => host?.cleanup());

async function setup(config: Record<string, unknown>): Promise<{ component: Component; out: RecordingConsumer }> {
  host = createTestHost();
  const parsed = validate(filter.config as never, config, 'filter/t');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  const out = new RecordingConsumer();
  return { component: await filter.create(host.context('filter/t').ctx, parsed.value as never, out), out };
}

function series(tenant: Tenant, n: number, prefix = 's'): number[] {
  return Array.from({ length: n }, (_, i) => host.series.resolve(tenant, labelsFromRecord({ __name__: 'm', id: `${prefix}${i}` })));
}

function batch(tenant: Tenant, refs: number[], ts: number | number[], values?: number[]): SampleBatch {
  return {
    tenant,
    length: refs.length,
    refs: Uint32Array.from(refs),
    ts: Float64Array.from(refs, (_, i) => (Array.isArray(ts) ? ts[i]! : ts)),
    values: Float64Array.from(refs, (_, i) => values?.[i] ?? i),
  };
}

async function dropped(): Promise<Record<string, number>> {
  const m = await host.registry.getSingleMetric('sluice_filter_dropped_samples_total')!.get();
  return Object.fromEntries(m.values.map((v) => [String(v.labels.reason), v.value]));
}

describe('filter processor: time window', () => {
  it('drops samples older than max_age and further ahead than max_future, counting each reason', async () => {
    const { component, out } = await setup({ max_age: '10m', max_future: '1m' });
    const now = host.clock.now();
    const refs = series(A, 4);
    await component.consume!(batch(A, refs, [now - 11 * MIN, now - 9 * MIN, now + 30_000, now + 2 * MIN]));
    expect(out.samples().map((s) => s.ts)).toEqual([now - 9 * MIN, now + 30_000]);
    expect(await dropped()).toEqual({ too_old: 1, too_far_in_future: 1 });
  });

  it('with window_align drops samples from before the current interval start', async () => {
    const { component, out } = await setup({ window_align: '1m' });
    host.clock.advance(45_000);
    const start = host.clock.now() - 45_000;
    await component.consume!(batch(A, series(A, 3), [start - 1, start, start + 40_000]));
    expect(out.samples().map((s) => s.ts)).toEqual([start, start + 40_000]);
  });

  it('passes a batch with nothing to drop on as it is, and never changes the input', async () => {
    const { component, out } = await setup({ max_age: '1h', drop_nan: true });
    const now = host.clock.now();
    const b = batch(A, series(A, 2), now);
    await component.consume!(b);
    expect(out.batches[0]).toBe(b);
    const mixed = batch(A, series(A, 2), [now - 2 * HOUR, now]);
    const before = mixed.ts.slice();
    await component.consume!(mixed);
    expect(mixed.ts).toEqual(before);
    expect(out.batches[1]!.tenant).toEqual(A);
  });
});

describe('filter processor: NaN', () => {
  it('drops plain NaN when asked but keeps stale markers bit-exact unless asked too', async () => {
    const { component, out } = await setup({ drop_nan: true });
    const now = host.clock.now();
    // Written straight into the column: V8 canonicalises NaN payloads in plain number arrays.
    const withStale = (b: SampleBatch) => ((b.values[1] = STALE_NAN), b);
    await component.consume!(withStale(batch(A, series(A, 3), now, [NaN, 0, 1])));
    const kept = out.batches[0]!;
    expect(kept.length).toBe(2);
    expect(isStaleNaN(kept.values[0]!)).toBe(true);
    expect(kept.values[1]).toBe(1);
    expect(await dropped()).toEqual({ nan: 1 });

    const both = await setup({ drop_nan: true, drop_stale_markers: true });
    await both.component.consume!(withStale(batch(A, series(A, 3), now, [NaN, 0, 1])));
    expect(both.out.samples().map((s) => s.value)).toEqual([1]);
  });

  it('keeps every NaN by default', async () => {
    const { component, out } = await setup({});
    const b = batch(A, series(A, 2), host.clock.now(), [NaN, 0]);
    b.values[1] = STALE_NAN;
    await component.consume!(b);
    expect(out.samples()).toHaveLength(2);
  });
});

describe('filter processor: series limits', () => {
  it('refuses new series over the hourly limit but keeps accepting the ones already seen', async () => {
    const { component, out } = await setup({ max_hourly_series: 3 });
    const now = host.clock.now();
    const refs = series(A, 5);
    await component.consume!(batch(A, refs, now));
    expect(out.samples().map((s) => s.ref)).toEqual(refs.slice(0, 3));
    out.clear();
    host.clock.advance(10 * MIN);
    await component.consume!(batch(A, refs, host.clock.now()));
    expect(out.samples().map((s) => s.ref)).toEqual(refs.slice(0, 3));
    expect(await dropped()).toEqual({ hourly_series_limit: 4 });
  });

  it('frees room once a series has not been seen for an hour (a sliding window, not a reset)', async () => {
    const { component, out } = await setup({ max_hourly_series: 2 });
    const [a, b, c] = series(A, 3);
    await component.consume!(batch(A, [a!], host.clock.now()));
    host.clock.advance(30 * MIN);
    await component.consume!(batch(A, [b!], host.clock.now()));
    await component.consume!(batch(A, [c!], host.clock.now()));
    expect(out.samples().map((s) => s.ref)).toEqual([a, b]);
    host.clock.advance(31 * MIN); // a was last seen 61 minutes ago, b 31
    out.clear();
    await component.consume!(batch(A, [c!, b!], host.clock.now()));
    expect(out.samples().map((s) => s.ref)).toEqual([c, b]);
  });

  it('keeps a series seen again within the hour counted once', async () => {
    const { component, out } = await setup({ max_hourly_series: 2 });
    const [a, b, c] = series(A, 3);
    for (let i = 0; i < 6; i++) {
      await component.consume!(batch(A, [a!, b!], host.clock.now()));
      host.clock.advance(20 * MIN);
    }
    out.clear();
    await component.consume!(batch(A, [c!], host.clock.now()));
    expect(out.samples()).toHaveLength(0);
  });

  it('applies tenant overrides and keeps tenants apart', async () => {
    const { component, out } = await setup({ max_daily_series: 1, tenants: { '2': { max_daily_series: 3 } } });
    const now = host.clock.now();
    await component.consume!(batch(A, series(A, 3, 'a'), now));
    await component.consume!(batch(B, series(B, 3, 'b'), now));
    expect(out.batches.map((b) => [b.tenant.accountId, b.length])).toEqual([
      [1, 1],
      [2, 3],
    ]);
    expect(await dropped()).toEqual({ daily_series_limit: 2 });
  });
});

describe('filter processor: rate limits', () => {
  it('lets a tenant send its burst, then its rate, and drops the excess', async () => {
    const { component, out } = await setup({ max_samples_per_second: 100, burst_samples: 150 });
    const refs = series(A, 200);
    await component.consume!(batch(A, refs, host.clock.now()));
    expect(out.samples()).toHaveLength(150);
    host.clock.advance(500);
    await component.consume!(batch(A, refs, host.clock.now()));
    expect(out.samples()).toHaveLength(200);
    expect(await dropped()).toEqual({ rate_limit: 50 + 150 });
  });

  it('rejects the whole batch with a 429 error in reject mode, and accepts it once tokens are back', async () => {
    const { component, out } = await setup({ max_samples_per_second: 10, rate_limit_action: 'reject' });
    const refs = series(A, 8);
    await component.consume!(batch(A, refs, host.clock.now()));
    await expect(component.consume!(batch(A, refs, host.clock.now()))).rejects.toBeInstanceOf(LimitExceededError);
    host.clock.advance(1000);
    await component.consume!(batch(A, refs, host.clock.now()));
    expect(out.samples()).toHaveLength(16);
  });

  it('gives every tenant its own bucket', async () => {
    const { component, out } = await setup({ max_samples_per_second: 5 });
    await component.consume!(batch(A, series(A, 5, 'a'), host.clock.now()));
    await component.consume!(batch(B, series(B, 5, 'b'), host.clock.now()));
    expect(out.samples()).toHaveLength(10);
  });
});

describe('filter config', () => {
  it('reports an invalid tenant key and a bad duration with their paths', () => {
    const r = validate(filter.config as never, { max_age: '10 minutes', tenants: { 'acme': {} } }, 'processors.filter/x');
    expect(r.ok ? [] : r.issues.map((i) => i.path).sort()).toEqual(['processors.filter/x.max_age', 'processors.filter/x.tenants.acme']);
  });
});

describe('filter hot swap', () => {
  it('hands series sightings and token buckets to the next generation, so a reload does not reset limits', async () => {
    const config = { max_hourly_series: 2, max_samples_per_second: 3 };
    const { component, out } = await setup(config);
    const refs = series(A, 3);
    await component.consume!(batch(A, refs.slice(0, 2), host.clock.now()));
    const state = structuredClone(await component.snapshot!());
    await component.stop!();
    const parsed = validate(filter.config as never, config, 'filter/t');
    const next = new RecordingConsumer();
    const gen2 = await filter.create(host.context('filter/t', 2).ctx, (parsed as unknown as { value: never }).value, next);
    await gen2.restore!(state);
    // The third series is over the hourly limit, and one token is left of the three.
    await gen2.consume!(batch(A, [refs[2]!, refs[0]!, refs[1]!], host.clock.now()));
    expect(next.samples().map((s) => s.ref)).toEqual([refs[0]]);
    expect(out.samples()).toHaveLength(2);
  });
});
