import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeReference, type DecodedSeries } from '../../host/wire/encode-reference.js';
import { snappyDecompress } from '../../host/wire/snappy.js';

const snappyUncompress = (body: Uint8Array) => snappyDecompress(body, 1 << 28);
import { buildBodies, type BodySpec } from '../../bench/load/body-builder.js';
import { countSamples } from '../../bench/load/sample-counter.js';

const START = Date.UTC(2026, 0, 1);

function decodeAll(spec: BodySpec): DecodedSeries[][] {
  const b = buildBodies(spec);
  return b.bodies.map((body) => decodeReference(snappyUncompress(body), spec.version));
}

function spec(over: Partial<BodySpec> = {}): BodySpec {
  return { version: 1, series: 700, samplesPerBody: 250, scrapes: 3, startMs: START, intervalMs: 15_000, ...over };
}

/** Series key → values in scrape order, over all bodies. */
function valuesBySeries(bodies: DecodedSeries[][]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const body of bodies) {
    for (const s of body) {
      const key = JSON.stringify(s.labels);
      out.set(key, [...(out.get(key) ?? []), ...s.samples.map(([, v]) => v)]);
    }
  }
  return out;
}

describe('buildBodies', () => {
  it('sends every series once per scrape, split into bodies of at most samplesPerBody', () => {
    const b = buildBodies(spec());
    expect(b.bodies).toHaveLength(3 * Math.ceil(700 / 250));
    expect(b.samples.reduce((a, n) => a + n, 0)).toBe(700 * 3);
    expect(Math.max(...b.samples)).toBe(250);
    const bySeries = valuesBySeries(decodeAll(spec()));
    expect(bySeries.size).toBe(700);
    for (const values of bySeries.values()) expect(values).toHaveLength(3);
  });

  it('labels look like scraped application metrics, about ten per series, sorted by name', () => {
    const series = decodeAll(spec({ scrapes: 1 })).flat();
    const names = new Set(series.map((s) => s.labels['__name__']));
    expect(names).toContain('http_requests_total');
    expect(names).toContain('http_request_duration_seconds_bucket');
    for (const s of series) {
      for (const l of ['job', 'instance', 'pod', 'namespace']) expect(s.labels[l]).toBeTruthy();
      const keys = Object.keys(s.labels);
      expect(keys).toEqual([...keys].sort());
      expect(keys.length).toBeGreaterThanOrEqual(7);
      expect(keys.length).toBeLessThanOrEqual(11);
    }
    const bucket = series.find((s) => s.labels['__name__'] === 'http_request_duration_seconds_bucket')!;
    expect(bucket.labels['le']).toBeDefined();
    expect(bucket.labels['method']).toMatch(/^(GET|POST)$/);
  });

  it('v1 and v2 bodies carry the same series and values', () => {
    const v1 = valuesBySeries(decodeAll(spec({ version: 1 })));
    const v2 = valuesBySeries(decodeAll(spec({ version: 2 })));
    expect(v2).toEqual(v1);
  });

  it('timestamps advance by the scrape interval', () => {
    const bodies = decodeAll(spec());
    const first = bodies[0]![0]!;
    const key = JSON.stringify(first.labels);
    const times = bodies.flat().filter((s) => JSON.stringify(s.labels) === key).map((s) => s.samples[0]![0]);
    expect(times).toEqual([START, START + 15_000, START + 30_000]);
  });

  it('counters only grow except at a reset, and resets do happen', () => {
    const b = buildBodies(spec({ scrapes: 12, resetProbability: 0.05 }));
    expect(b.resets).toBeGreaterThan(0);
    const bySeries = valuesBySeries(b.bodies.map((body) => decodeReference(snappyUncompress(body), 1)));
    let drops = 0;
    for (const [key, values] of bySeries) {
      const name = (JSON.parse(key) as Record<string, string>)['__name__']!;
      if (!name.endsWith('_total') && !name.endsWith('_bucket') && !name.endsWith('_count')) continue;
      for (let i = 1; i < values.length; i++) {
        if (values[i]! < values[i - 1]!) {
          drops++;
          // A reset restarts near zero, it does not merely wobble.
          expect(values[i]!).toBeLessThan(50);
        }
      }
    }
    expect(drops).toBeGreaterThan(0);
  });

  it('histogram buckets are cumulative in le and _count equals the +Inf bucket', () => {
    const series = decodeAll(spec({ scrapes: 2 })).slice(-3).flat();
    const groups = new Map<string, { le: number; v: number }[]>();
    const counts = new Map<string, number>();
    for (const s of series) {
      const { __name__: name, le, ...rest } = s.labels;
      const group = JSON.stringify(rest);
      if (name === 'http_request_duration_seconds_bucket') groups.set(group, [...(groups.get(group) ?? []), { le: le === '+Inf' ? Infinity : Number(le), v: s.samples[0]![1] }]);
      if (name === 'http_request_duration_seconds_count') counts.set(group, s.samples[0]![1]);
    }
    let checked = 0;
    for (const [group, buckets] of groups) {
      if (buckets.length !== 12) continue; // a histogram cut by the series count
      checked++;
      buckets.sort((a, b) => a.le - b.le);
      for (let i = 1; i < buckets.length; i++) expect(buckets[i]!.v).toBeGreaterThanOrEqual(buckets[i - 1]!.v);
      if (counts.has(group)) expect(counts.get(group)).toBe(buckets[buckets.length - 1]!.v);
    }
    expect(checked).toBeGreaterThan(5);
  });

  it('the same seed gives the same bytes, another seed other bytes', () => {
    const a = buildBodies(spec({ scrapes: 1 }));
    const b = buildBodies(spec({ scrapes: 1 }));
    const c = buildBodies(spec({ scrapes: 1, seed: 2 }));
    expect(b.bodies).toEqual(a.bodies);
    expect(c.bodies).not.toEqual(a.bodies);
  });

  it('refuses an empty specification', () => {
    expect(() => buildBodies(spec({ samplesPerBody: 0 }))).toThrow(RangeError);
  });
});

describe('countSamples', () => {
  it('agrees with a full decode on bodies of any size and version', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 1, max: 300 }), fc.constantFrom(1 as const, 2 as const), (series, per, version) => {
        const b = buildBodies({ version, series, samplesPerBody: per, scrapes: 1, startMs: START, intervalMs: 15_000 });
        for (const body of b.bodies) {
          const raw = snappyUncompress(body);
          const decoded = decodeReference(raw, version);
          const c = countSamples(raw, version);
          expect(c.series).toBe(decoded.length);
          expect(c.samples).toBe(decoded.reduce((n, s) => n + s.samples.length, 0));
        }
      }),
      { numRuns: 25 },
    );
  });

  it('refuses a truncated body instead of miscounting it', () => {
    const b = buildBodies(spec({ scrapes: 1, series: 10 }));
    const raw = snappyUncompress(b.bodies[0]!);
    expect(() => countSamples(raw.subarray(0, raw.length - 5), 1)).toThrow(RangeError);
  });
});
