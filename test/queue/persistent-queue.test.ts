import { appendFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { PersistentQueue } from '../../host/queue/persistent-queue.js';
import { segmentPath } from '../../host/queue/segments.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'sluice-queue-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const record = (i: number, size = 16) => {
  const b = new Uint8Array(size);
  new DataView(b.buffer).setUint32(0, i, true);
  for (let j = 4; j < size; j++) b[j] = (i + j) & 0xff;
  return b;
};
const idOf = (payload: Uint8Array) => new DataView(payload.buffer, payload.byteOffset).getUint32(0, true);

function drain(q: PersistentQueue, commit = true): number[] {
  const ids: number[] = [];
  for (let e = q.next(); e; e = q.next()) {
    ids.push(idOf(e.payload));
    if (commit) q.commit(e.end);
  }
  return ids;
}

describe('PersistentQueue', () => {
  it('hands out records in the order they were appended, across segment rotations', () => {
    const q = new PersistentQueue(tempDir(), { segmentBytes: 100 });
    for (let i = 0; i < 50; i++) q.append(record(i, 4 + (i % 30)));
    expect(q.segmentCount).toBeGreaterThan(5);
    expect(drain(q)).toEqual([...Array(50).keys()]);
    q.close();
  });

  it('deletes segments once everything in them is delivered', () => {
    const dir = tempDir();
    const q = new PersistentQueue(dir, { segmentBytes: 64 });
    for (let i = 0; i < 20; i++) q.append(record(i));
    const before = readdirSync(dir).filter((n) => n.endsWith('.seg')).length;
    drain(q);
    const after = readdirSync(dir).filter((n) => n.endsWith('.seg')).length;
    expect(before).toBeGreaterThan(3);
    expect(after).toBe(1);
    expect(q.pendingBytes).toBe(0);
    q.close();
  });

  it('resumes after a restart from the persisted read offset without redelivering', () => {
    const dir = tempDir();
    const q = new PersistentQueue(dir, { segmentBytes: 128 });
    for (let i = 0; i < 30; i++) q.append(record(i));
    for (let i = 0; i < 12; i++) q.commit(q.next()!.end);
    q.next(); // handed out but never committed: must come back
    q.close();
    const again = new PersistentQueue(dir, { segmentBytes: 128 });
    expect(again.recovery).toEqual({ truncatedBytes: 0, offsetReset: false });
    expect(drain(again)).toEqual([...Array(18).keys()].map((i) => i + 12));
    again.close();
  });

  it('cuts a torn tail record on recovery and keeps appending after it', () => {
    const dir = tempDir();
    const q = new PersistentQueue(dir);
    for (let i = 0; i < 5; i++) q.append(record(i));
    q.close();
    // A header promising 100 bytes of which only 3 arrived, as a kill -9 mid-write leaves it.
    appendFileSync(segmentPath(dir, 0), new Uint8Array([100, 0, 0, 0, 1, 2, 3, 4, 9, 9, 9]));
    const again = new PersistentQueue(dir);
    expect(again.recovery.truncatedBytes).toBe(11);
    again.append(record(5));
    expect(drain(again)).toEqual([0, 1, 2, 3, 4, 5]);
    again.close();
  });

  it('cuts a tail record whose checksum does not match', () => {
    const dir = tempDir();
    const q = new PersistentQueue(dir);
    q.append(record(1));
    q.close();
    const bad = new Uint8Array(12);
    new DataView(bad.buffer).setUint32(0, 4, true);
    new DataView(bad.buffer).setUint32(4, 0xdeadbeef, true);
    appendFileSync(segmentPath(dir, 0), bad);
    const again = new PersistentQueue(dir);
    expect(again.recovery.truncatedBytes).toBe(12);
    expect(drain(again)).toEqual([1]);
    again.close();
  });

  it('drops the oldest unread records past maxBytes and reports each one', () => {
    const dropped: number[] = [];
    const q = new PersistentQueue(tempDir(), { segmentBytes: 240, maxBytes: 1000, onDrop: (p) => dropped.push(idOf(p)) });
    for (let i = 0; i < 100; i++) q.append(record(i, 16));
    expect(q.diskBytes).toBeLessThanOrEqual(1000);
    const left = drain(q);
    expect(dropped.length).toBeGreaterThan(0);
    expect([...dropped, ...left]).toEqual([...Array(100).keys()]);
    q.close();
  });

  it('falls back to the oldest data when the read offset file is damaged, losing nothing', () => {
    const dir = tempDir();
    const q = new PersistentQueue(dir);
    for (let i = 0; i < 4; i++) q.append(record(i));
    q.commit(q.next()!.end);
    q.close();
    writeFileSync(join(dir, 'read-offset'), new Uint8Array(16).fill(7));
    const again = new PersistentQueue(dir);
    expect(again.recovery.offsetReset).toBe(true);
    expect(drain(again)).toEqual([0, 1, 2, 3]);
    again.close();
  });

  it('refuses a second owner of the directory until the first closes', () => {
    const dir = tempDir();
    const q = new PersistentQueue(dir);
    expect(() => new PersistentQueue(dir)).toThrow(/already open in this process/);
    q.close();
    new PersistentQueue(dir).close();
  });

  it('refuses a directory another running process holds', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'lock'), String(process.ppid));
    expect(() => new PersistentQueue(dir)).toThrow(`in use by process ${process.ppid}`);
  });

  it('takes over the lock a dead process left behind', () => {
    const dir = tempDir();
    // A pid far above any Linux pid_max: no process can be running under it.
    writeFileSync(join(dir, 'lock'), '99999999');
    const q = new PersistentQueue(dir);
    q.append(record(1));
    expect(drain(q)).toEqual([1]);
    q.close();
  });

  it('keeps any interleaving of appends, reads, commits and restarts in order', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('append', 'read', 'commit', 'restart'), { maxLength: 80 }), (ops) => {
        const dir = tempDir();
        let q = new PersistentQueue(dir, { segmentBytes: 90 });
        let appended = 0;
        let committed = 0;
        const handedOut: { id: number; end: number }[] = [];
        for (const op of ops) {
          if (op === 'append') q.append(record(appended++, 5 + (appended % 20)));
          if (op === 'read') {
            const e = q.next();
            if (e) handedOut.push({ id: idOf(e.payload), end: e.end });
          }
          if (op === 'commit' && handedOut.length > 0) {
            const e = handedOut.shift()!;
            expect(e.id).toBe(committed);
            q.commit(e.end);
            committed++;
          }
          if (op === 'restart') {
            q.close();
            q = new PersistentQueue(dir, { segmentBytes: 90 });
            handedOut.length = 0;
          }
        }
        q.rewind();
        const rest = drain(q);
        expect(rest).toEqual([...Array(appended - committed).keys()].map((i) => i + committed));
        q.close();
      }),
      { numRuns: 60 },
    );
  });

  it('hands out the same records at the same offsets whether it keeps them in memory or reads them back', () => {
    // Random appends, reads, rewinds and commits, checked against what was appended at each offset;
    // a reopened queue (nothing in memory) must agree on everything still pending.
    const op = fc.oneof(
      fc.record({ kind: fc.constant('append' as const), size: fc.integer({ min: 4, max: 3000 }) }),
      fc.record({ kind: fc.constantFrom('next' as const, 'rewind' as const, 'commit' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
        const dir = tempDir();
        const q = new PersistentQueue(dir, { segmentBytes: 4096 });
        const appended = new Map<number, number>();
        const order: number[] = [];
        let offset = 0;
        let committed = 0;
        let cursor = 0;
        let id = 0;
        for (const o of ops) {
          if (o.kind === 'append') {
            appended.set(offset, id);
            order.push(offset);
            q.append(record(id++, o.size));
            offset += 8 + o.size;
          } else if (o.kind === 'next') {
            const e = q.next();
            if (cursor === offset) expect(e).toBeUndefined();
            else {
              expect(e!.offset).toBe(cursor);
              expect(idOf(e!.payload)).toBe(appended.get(cursor));
              cursor = e!.end;
            }
          } else if (o.kind === 'rewind') {
            q.rewind();
            cursor = committed;
          } else {
            q.commit(cursor);
            committed = Math.max(committed, cursor);
          }
        }
        q.close();
        const reopened = new PersistentQueue(dir, { segmentBytes: 4096 });
        expect(drain(reopened)).toEqual(order.filter((at) => at >= committed).map((at) => appended.get(at)));
        reopened.close();
      }),
      { numRuns: 60 },
    );
  });

  it('reads records back from the file once more than it keeps in memory is waiting', () => {
    const q = new PersistentQueue(tempDir(), { segmentBytes: 64 << 20 });
    for (let i = 0; i < 24; i++) q.append(record(i, 1 << 20));
    expect(drain(q)).toEqual(Array.from({ length: 24 }, (_, i) => i));
    q.close();
  });

  it('syncs in the background while appends go on, and a close during it still syncs and keeps everything', async () => {
    const dir = tempDir();
    const q = new PersistentQueue(dir, { segmentBytes: 2048 });
    for (let i = 0; i < 40; i++) q.append(record(i, 100));
    q.syncInBackground();
    // Appends while the sync is on the thread pool, across segment rotations.
    for (let i = 40; i < 80; i++) q.append(record(i, 100));
    await new Promise((resolve) => setImmediate(resolve));
    q.syncInBackground();
    q.commit(0);
    q.close();
    // The pending callbacks find the queue closed and must not touch its files.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const reopened = new PersistentQueue(dir, { segmentBytes: 2048 });
    expect(drain(reopened)).toEqual(Array.from({ length: 80 }, (_, i) => i));
    reopened.close();
  });
});
