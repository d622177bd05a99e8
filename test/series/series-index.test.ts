import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BadInputError, LimitExceededError } from '../../host/errors.js';
import { createSeriesIndex } from '../../host/series/create-series-index.js';
import { labelsFromRecord } from '../../host/series/labels.js';
import type { SeriesLimits } from '../../host/series/cardinality.js';
import type { SeriesIndex } from '../../host/series/series-index.js';
import { encodeSeriesKey } from '../../host/series/series-key.js';
import { compareTsid } from '../../host/series/tsid.js';
import { WasmSeriesIndex } from '../../host/series/wasm-series-index.js';

const T = { accountId: 0, projectId: 0 };
const T2 = { accountId: 42, projectId: 3 };
const dir = mkdtempSync(join(tmpdir(), 'sluice-series-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const series = (rec: Record<string, string>) => labelsFromRecord(rec);

describe.each(['wasm', 'reference'] as const)('%s series index', (implementation) => {
  const make = (opts: { limits?: SeriesLimits; now?: () => number } = {}) => createSeriesIndex({ implementation, ...opts });

  it('keeps one ref per label set and tenant, and keeps tenants apart', async () => {
    const idx = await make();
    const a = idx.resolve(T, series({ __name__: 'up', job: 'api' }));
    const b = idx.resolve(T2, series({ __name__: 'up', job: 'api' }));
    expect(a).not.toBe(b);
    expect(idx.resolve(T, series({ __name__: 'up', job: 'api' }))).toBe(a);
    expect(idx.tenant(b)).toEqual(T2);
    expect(Array.from(idx.select(T2, [{ name: 'job', type: '=', value: 'api' }]))).toEqual([b]);
    expect(idx.labelValues(T, '__name__')).toEqual(['up']);
  });

  it('resolves 50k series across table growth and finds every one again by its key bytes, in any order', async () => {
    const idx = await make();
    const keys = Array.from({ length: 50_000 }, (_, i) => encodeSeriesKey(series({ __name__: `m${i % 37}`, instance: `host-${i}:9100`, job: 'node' })));
    const refs = keys.map((k) => idx.resolveKey(T, k, k.length));
    expect(new Set(refs).size).toBe(keys.length);
    expect(keys.map((k) => idx.resolveKey(T, k, k.length))).toEqual(refs);
    // Reversed and interleaved, so a lookup that predicts "the series after the last one" is wrong.
    expect([...keys].reverse().map((k) => idx.resolveKey(T, k, k.length))).toEqual([...refs].reverse());
    const odd = keys.map((_, i) => (i * 7919) % keys.length);
    expect(odd.map((i) => idx.resolveKey(T, keys[i]!, keys[i]!.length))).toEqual(odd.map((i) => refs[i]));
    // Runs of consecutive series broken by jumps, and a new series in the middle of a run.
    const jumps = [0, 1, 2, 3, 100, 101, 102, 7, 8, 40_000, 40_001, 5, 6];
    expect(jumps.map((i) => idx.resolveKey(T, keys[i]!, keys[i]!.length))).toEqual(jumps.map((i) => refs[i]));
    const fresh = encodeSeriesKey(series({ __name__: 'm0', instance: 'host-new:9100', job: 'node' }));
    expect([10, 11].map((i) => idx.resolveKey(T, keys[i]!, keys[i]!.length))).toEqual([refs[10], refs[11]]);
    expect(idx.resolveKey(T, fresh, fresh.length)).toBe(50_000);
    expect(idx.size).toBe(50_001);
    expect(Array.from(idx.key(refs[123]!))).toEqual(Array.from(keys[123]!));
  });

  it('names many refs at once: keys() is their key() bytes back to back, in the order asked, and refuses a deleted ref', async () => {
    const idx = await make();
    const refs = Array.from({ length: 3000 }, (_, i) => idx.resolve(i % 2 ? T : T2, series({ __name__: 'up', instance: `host-${i}`.repeat(1 + (i % 5)) })));
    const asked = [refs[2999]!, refs[0]!, refs[17]!, refs[17]!, ...refs.slice(100, 2100)];
    const { bytes, offsets } = idx.keys(asked);
    expect(offsets.length).toBe(asked.length + 1);
    asked.forEach((r, i) => expect(Array.from(bytes.subarray(offsets[i]!, offsets[i + 1]!))).toEqual(Array.from(idx.key(r))));
    expect(bytes.length).toBe(offsets[asked.length]);
    expect(idx.keys([]).bytes.length).toBe(0);
    idx.delete([refs[5]!]);
    expect(() => idx.keys([refs[4]!, refs[5]!])).toThrow(RangeError);
  });

  it('orders TSIDs by tenant, then metric name, so a metric\'s series sort together', async () => {
    const idx = await make();
    const refs = [
      idx.resolve(T2, series({ __name__: 'a', instance: 'i1', job: 'j' })),
      idx.resolve(T, series({ __name__: 'b', instance: 'i1', job: 'j' })),
      idx.resolve(T, series({ __name__: 'a', instance: 'i2', job: 'j' })),
      idx.resolve(T, series({ __name__: 'b', instance: 'i2', job: 'j' })),
    ];
    const sorted = refs.map((r) => ({ r, t: idx.tsid(r) })).sort((x, y) => compareTsid(x.t, y.t));
    expect(sorted.map((s) => idx.labels(s.r).find((l) => l.name === '__name__')?.value)).toEqual(['b', 'b', 'a', 'a']);
    expect(sorted.map((s) => s.t.accountId)).toEqual([0, 0, 0, 42]);
    const t = idx.tsid(refs[1]!);
    expect(t.jobId).toBe(idx.tsid(refs[3]!).jobId);
    expect(t.instanceId).not.toBe(idx.tsid(refs[3]!).instanceId);
  });

  it('gives a deleted ref to a new series only after a purge, with a new metric id, and tells listeners', async () => {
    const idx = await make();
    const seen: number[][] = [];
    const off = idx.onDelete((refs) => seen.push(Array.from(refs)));
    const a = idx.resolve(T, series({ __name__: 'a' }));
    const b = idx.resolve(T, series({ __name__: 'b' }));
    const oldTsid = idx.tsid(a);
    expect(idx.delete([a, a, 999])).toBe(1);
    expect(seen).toEqual([[a]]);
    expect(idx.has(a)).toBe(false);
    expect(() => idx.labels(a)).toThrow(RangeError);
    expect(idx.resolve(T, series({ __name__: 'c' }))).toBe(b + 1);
    idx.compact();
    const d = idx.resolve(T, series({ __name__: 'd' }));
    expect(d).toBe(a);
    expect(idx.tsid(d).metricId).toBeGreaterThan(oldTsid.metricId);
    expect(idx.labelValues(T, '__name__')).toEqual(['b', 'c', 'd']);
    off();
    idx.delete([d]);
    expect(seen).toHaveLength(1);
  });

  it('refuses a new series over the tenant limit with a reason naming tenant and limit, but resolves known ones', async () => {
    const idx = await make({ limits: { maxSeriesPerTenant: 2 } });
    idx.resolve(T2, series({ __name__: 'a' }));
    const b = idx.resolve(T2, series({ __name__: 'b' }));
    expect(() => idx.resolve(T2, series({ __name__: 'c' }))).toThrow(LimitExceededError);
    expect(() => idx.resolve(T2, series({ __name__: 'c' }))).toThrow('series limit exceeded for tenant 42:3: 2 active series, limit 2');
    expect(idx.resolve(T2, series({ __name__: 'b' }))).toBe(b);
    expect(idx.resolve(T, series({ __name__: 'c' }))).toBeGreaterThan(b);
    expect(idx.cardinality(T2)).toMatchObject({ activeSeries: 2, refusedSeries: 2 });
    idx.delete([b]);
    expect(() => idx.resolve(T2, series({ __name__: 'c' }))).not.toThrow();
  });

  it('applies the per-metric limit and a custom check to new series only', async () => {
    const idx = await make({ limits: { maxSeriesPerMetric: 1, check: (s) => (s.labels.some((l) => l.name === 'user_id') ? 'label user_id is not allowed' : undefined) } });
    idx.resolve(T, series({ __name__: 'a', x: '1' }));
    expect(() => idx.resolve(T, series({ __name__: 'a', x: '2' }))).toThrow('metric "a" has 1 active series, limit 1');
    expect(() => idx.resolve(T, series({ __name__: 'b', user_id: '7' }))).toThrow(/tenant 0:0: label user_id is not allowed/);
  });

  it('counts new series over a sliding minute', async () => {
    let now = 0;
    const idx = await make({ now: () => now });
    for (let i = 0; i < 5; i++) idx.resolve(T, series({ __name__: `m${i}` }));
    now = 30_000;
    for (let i = 0; i < 3; i++) idx.resolve(T, series({ __name__: `n${i}` }));
    idx.resolve(T, series({ __name__: 'm0' }));
    expect(idx.cardinality(T).newSeriesLastMinute).toBe(8);
    now = 65_000;
    expect(idx.cardinality(T).newSeriesLastMinute).toBe(3);
    now = 200_000;
    expect(idx.cardinality(T)).toEqual({ activeSeries: 8, newSeriesLastMinute: 0, refusedSeries: 0 });
  });

  it('rejects a malformed key with a bad-input error and stays usable', async () => {
    const idx = await make();
    const key = encodeSeriesKey(series({ __name__: 'up' }));
    expect(() => idx.resolveKey(T, key, key.length - 1)).toThrow(BadInputError);
    expect(() => idx.resolveKey(T, Uint8Array.of(0xff, 0xff), 2)).toThrow(BadInputError);
    expect(idx.size).toBe(0);
    expect(idx.resolveKey(T, key, key.length)).toBe(0);
  });

  it('evaluates matchers as PromQL does, an absent label reading as empty', async () => {
    const idx = await make();
    const r1 = idx.resolve(T, series({ __name__: 'http', code: '200', path: '/a' }));
    const r2 = idx.resolve(T, series({ __name__: 'http', code: '500' }));
    const r3 = idx.resolve(T, series({ __name__: 'rpc' }));
    const sel = (...m: [string, '=' | '!=' | '=~' | '!~', string][]) => Array.from(idx.select(T, m.map(([name, type, value]) => ({ name, type, value }))));
    expect(sel(['path', '=', ''])).toEqual([r2, r3]);
    expect(sel(['path', '!=', ''])).toEqual([r1]);
    expect(sel(['code', '!=', '200'])).toEqual([r2, r3]);
    expect(sel(['code', '=~', '2..|5..'], ['__name__', '=', 'http'])).toEqual([r1, r2]);
    expect(sel(['code', '=~', '5.*|'])).toEqual([r2, r3]);
    expect(sel(['code', '!~', '.+'])).toEqual([r3]);
    expect(sel(['code', '=~', '20'])).toEqual([]);
    expect(sel(['__name__', '=', 'nope'])).toEqual([]);
    expect(() => sel(['code', '=~', '('])).toThrow(SyntaxError);
    expect(idx.labelNames(T, { matchers: [{ name: 'code', type: '=', value: '500' }] })).toEqual(['__name__', 'code']);
    expect(idx.labelNames(T, { limit: 2 })).toEqual(['__name__', 'code']);
    expect(idx.series(T, [{ name: '__name__', type: '=~', value: 'http|rpc' }], { limit: 2 }).map((l) => l.map((x) => x.value).join(','))).toEqual(['http,200,/a', 'http,500']);
    expect(idx.topMetrics(T, 5)).toEqual([{ name: 'http', series: 2 }, { name: 'rpc', series: 1 }]);
  });

  it('writes the index atomically and reloads every series under the same ref and TSID', async () => {
    const idx = await make();
    const refs = Array.from({ length: 3000 }, (_, i) => idx.resolve(i % 2 ? T : T2, series({ __name__: `m${i % 5}`, job: 'j', instance: `i${i}` })));
    idx.delete(refs.filter((_, i) => i % 7 === 0));
    const sub = mkdtempSync(join(dir, 'save-'));
    const file = join(sub, 'series.idx');
    await idx.save(file);
    expect(readdirSync(sub)).toEqual(['series.idx']);
    const back = await createSeriesIndex({ implementation, file });
    expect(back.size).toBe(idx.size);
    for (const r of refs.filter((x) => idx.has(x))) {
      expect(back.tsid(r)).toEqual(idx.tsid(r));
      expect(back.labels(r)).toEqual(idx.labels(r));
    }
    const next = series({ __name__: 'new' });
    expect(back.resolve(T, next)).toBe(idx.resolve(T, next));
    await expect(back.load(file)).rejects.toThrow(/not empty/);
  });

  it('refuses a file of another format version or a truncated one', async () => {
    const idx = await make();
    idx.resolve(T, series({ __name__: 'up' }));
    const file = join(dir, `${implementation}-v.idx`);
    await idx.save(file);
    const bytes = readFileSync(file);
    const v2 = Buffer.from(bytes);
    v2.writeUInt32LE(2, 8);
    writeFileSync(`${file}.v2`, v2);
    writeFileSync(`${file}.cut`, bytes.subarray(0, bytes.length - 3));
    await expect((await make()).load(`${file}.v2`)).rejects.toThrow(/format version 2, this build reads 1/);
    await expect((await make()).load(`${file}.cut`)).rejects.toThrow(RangeError);
  });
});

describe('series index kernel under churn', () => {
  it('shrinks its label dictionary when series go, instead of keeping every value ever seen', async () => {
    const idx = await WasmSeriesIndex.create();
    const round = (r: number) => {
      const refs = Array.from({ length: 3000 }, (_, i) => idx.resolve(T, series({ __name__: 'up', pod: `api-${r}-${i}`, job: 'k8s' })));
      expect(idx.labelValues(T, 'pod')).toHaveLength(3000);
      idx.delete(refs);
      idx.compact();
      expect(idx.labelValues(T, 'pod')).toEqual([]);
      return idx.memoryStats().inUse;
    };
    const first = round(0);
    for (let r = 1; r < 6; r++) expect(round(r)).toBeLessThanOrEqual(first * 1.1);
    const back = idx.resolve(T, series({ __name__: 'up', pod: 'api-0-0', job: 'k8s' }));
    expect(idx.labels(back)).toEqual(series({ __name__: 'up', pod: 'api-0-0', job: 'k8s' }));
    expect(Array.from(idx.select(T, [{ name: 'pod', type: '=~', value: 'api-0-.*' }]))).toEqual([back]);
  });
});

describe('series index factory', () => {
  it('defaults to the WebAssembly kernel and gives the reference on request', async () => {
    const wasm = (await createSeriesIndex()) as SeriesIndex & { implementation: string };
    const ref = (await createSeriesIndex({ implementation: 'reference' })) as SeriesIndex & { implementation: string };
    expect(wasm.implementation).toMatch(/^wasm-(simd|scalar)$/);
    expect(ref.implementation).toBe('reference');
  });
});
