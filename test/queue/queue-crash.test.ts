import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { PersistentQueue } from '../../host/queue/persistent-queue.js';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'queue-child.ts');
const dir = mkdtempSync(join(tmpdir(), 'sluice-queue-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the child until it has printed `until` ids (or `stopAt` appears), then kill -9's it. Returns the ids printed. */
async function runAndKill(mode: 'write' | 'read', until: number, stopAt?: string): Promise<number[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, mode, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const ids: number[] = [];
  let buffered = '';
  await new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', () => resolve());
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        if (line === stopAt || ids.length >= until) child.kill('SIGKILL');
        if (/^\d+$/.test(line)) ids.push(Number(line));
      }
    });
  });
  return ids;
}

describe('PersistentQueue under kill -9', () => {
  it('recovers every record whose append returned before the writer was killed', async () => {
    const acked = await runAndKill('write', 3000);
    expect(acked.length).toBeGreaterThanOrEqual(3000);
    const q = new PersistentQueue(dir, { segmentBytes: 64 << 10 });
    const found: number[] = [];
    for (let e = q.next(); e; e = q.next()) {
      const id = new DataView(e.payload.buffer).getUint32(0, true);
      // Every payload byte must be intact, not just the id.
      expect(e.payload.subarray(4).every((b) => b === (id & 0xff))).toBe(true);
      found.push(id);
    }
    q.close();
    // In order, each once, and nothing acknowledged missing; at most one unacknowledged record more.
    expect(found).toEqual([...Array(found.length).keys()]);
    expect(found.length - acked.length).toBeGreaterThanOrEqual(0);
    expect(found.length - acked.length).toBeLessThanOrEqual(1);
  });

  it('redelivers nothing a killed reader had committed', async () => {
    const before = new PersistentQueue(dir, { segmentBytes: 64 << 10 });
    const total = before.pendingBytes;
    before.close();
    expect(total).toBeGreaterThan(0);
    const delivered = await runAndKill('read', 1000, 'done');
    const last = delivered.at(-1)!;
    const q = new PersistentQueue(dir, { segmentBytes: 64 << 10 });
    const next = q.next();
    q.close();
    // The record after the last one printed, or (killed between commit and print) the one after that.
    const first = next ? new DataView(next.payload.buffer).getUint32(0, true) : undefined;
    expect([last + 1, last + 2]).toContain(first);
  });
});
