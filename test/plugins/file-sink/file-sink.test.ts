import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SampleBatch } from '../../../host/batch/sample-batch.js';
import { STALE_NAN } from '../../../host/batch/stale.js';
import type { Tenant } from '../../../host/batch/tenant.js';
import type { Component } from '../../../host/plugin/manifest.js';
import manifest from '../../../plugins/file-sink/index.js';
import { batchOf, type Row } from '../../kit/batches.js';
import { createTestHost, type TestHost } from '../../kit/context.js';
import { RecordingConsumer } from '../../kit/recording-consumer.js';

let host: TestHost;
let sink: Component;
let path: string;

beforeEach(() => {
  host = createTestHost();
  path = join(host.dataRoot, 'out.jsonl');
});
afterEach(async () => {
  await sink?.stop?.();
  host.cleanup();
});

async function start(config: Record<string, unknown>): Promise<void> {
  const cfg = (manifest.config as { parse(v: unknown): unknown }).parse({ path, ...config });
  sink = await manifest.create(host.context('file/test').ctx, cfg as never, new RecordingConsumer());
}

const batch = (rows: Row[], tenant?: Tenant): SampleBatch => batchOf(host.series, rows, tenant);

const lines = (p = path) => readFileSync(p, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as unknown);

describe('file sink', () => {
  it('writes one JSON line per series with its samples in order', async () => {
    await start({});
    await sink.consume!(batch([[{ __name__: 'up', job: 'a' }, 1000, 1], [{ __name__: 'up', job: 'b' }, 1000, 0], [{ __name__: 'up', job: 'a' }, 2000, 0.5]]));
    expect(lines()).toEqual([
      { labels: { __name__: 'up', job: 'a' }, samples: [[1000, 1], [2000, 0.5]] },
      { labels: { __name__: 'up', job: 'b' }, samples: [[1000, 0]] },
    ]);
  });

  it('writes one line per sample, values JSON cannot hold as strings, the stale marker apart from NaN', async () => {
    await start({ format: 'sample' });
    await sink.consume!(batch([[{ __name__: 'm' }, 1, NaN], [{ __name__: 'm' }, 2, STALE_NAN], [{ __name__: 'm' }, 3, -Infinity]], { accountId: 5, projectId: 1 }));
    expect(lines()).toEqual([
      { tenant: '5:1', labels: { __name__: 'm' }, ts: 1, value: 'NaN' },
      { tenant: '5:1', labels: { __name__: 'm' }, ts: 2, value: 'stale' },
      { tenant: '5:1', labels: { __name__: 'm' }, ts: 3, value: '-Inf' },
    ]);
  });

  it('rotates past max_size and keeps max_files old files', async () => {
    await start({ format: 'sample', max_size: 200, max_files: 2 });
    for (let i = 0; i < 20; i++) await sink.consume!(batch([[{ __name__: 'metric_with_a_long_name', i: String(i) }, i, i]]));
    const all = [`${path}.2`, `${path}.1`, path].flatMap((p) => lines(p) as { ts: number }[]);
    expect(existsSync(`${path}.3`)).toBe(false);
    for (const p of [path, `${path}.1`, `${path}.2`]) expect(readFileSync(p).length).toBeLessThanOrEqual(200);
    // The newest samples, contiguous and in order, survive rotation.
    expect(all.map((l) => l.ts)).toEqual([...Array(all.length).keys()].map((k) => 20 - all.length + k));
  });

  it('refuses unknown config keys', () => {
    expect((manifest.config as import('zod').ZodType).safeParse({ path: '-', rotate: true }).success).toBe(false);
  });
});
