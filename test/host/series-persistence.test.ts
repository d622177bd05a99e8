import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHost } from '../kit/test-host.js';

const tenant = { accountId: 3, projectId: 1 };
const labels = (job: string) => [
  { name: '__name__', value: 'http_requests_total' },
  { name: 'job', value: job },
];

describe('series index across restarts', () => {
  it('a restarted host finds every series under the ref it had before', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-restart-'));
    const config = {
      storage: { path: join(dir, 'data') },
      sources: { 'manual/in': {} },
      sinks: { 'recording/out': {} },
      pipelines: { p: { sources: ['manual/in'], sinks: ['recording/out'] } },
    };
    try {
      const first = await createHost({ config });
      await first.host.start();
      const refs = ['a', 'b', 'c'].map((job) => first.host.series!.resolve(tenant, labels(job)));
      await first.host.stop();

      const second = await createHost({ config });
      await second.host.start();
      expect(second.host.series!.size).toBe(3);
      expect(['c', 'a', 'b'].map((job) => second.host.series!.resolve(tenant, labels(job)))).toEqual([refs[2], refs[0], refs[1]]);
      await second.host.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an unreadable index file is moved aside and the host starts with an empty index', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-restart-'));
    const data = join(dir, 'data');
    const config = { storage: { path: data }, sources: { 'manual/in': {} }, sinks: { 'recording/out': {} }, pipelines: { p: { sources: ['manual/in'], sinks: ['recording/out'] } } };
    try {
      mkdirSync(data, { recursive: true });
      writeFileSync(join(data, 'series-index.bin'), 'not an index');
      const t = await createHost({ config });
      await t.host.start();
      expect(t.host.series!.size).toBe(0);
      expect(readdirSync(data).some((f) => f.startsWith('series-index.bin.unreadable-'))).toBe(true);
      await t.host.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
