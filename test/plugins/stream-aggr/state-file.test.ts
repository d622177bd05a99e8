import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serialize } from 'node:v8';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STATE_FORMAT } from '../../../plugins/stream-aggr/state-codec.js';
import { readState, STATE_FILE, writeAll, writeState } from '../../../plugins/stream-aggr/state-file.js';

/** Shaped like an aggregation snapshot: big columns, small ones, long lists of objects, blocks. */
function sampleState() {
  return {
    kind: 'sluice.stream_aggr',
    rules: [
      {
        slots: { lastTs: Float64Array.from({ length: 5000 }, (_, i) => i * 1.5), group: new Uint32Array([1, 2, 3]) },
        groups: Array.from({ length: 1000 }, (_, i) => ({ key: `0:0\u0000job\u0001j${i}`, labels: [{ name: 'job', value: `j${i}` }], lastActive: i === 0 ? -Infinity : i, totals: [i, NaN] })),
        // Sections inside chunks: a few reservoirs are large enough to be written raw.
        reservoirs: Array.from({ length: 600 }, (_, g) => [g, Float64Array.from({ length: g % 200 === 0 ? 2500 : 3 }, (_, i) => g + i), 7]),
        blocks: [new Uint8Array(70_000).fill(7), new Uint8Array(0), new Uint8Array(30).fill(1)],
        view: new Float64Array(new Float64Array(100_000).fill(2).buffer, 8, 10),
      },
    ],
  };
}

describe('the stream_aggr state file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-state-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads back what was written: columns, small arrays, long lists and byte blocks', async () => {
    const state = sampleState();
    await writeState(dir, state);
    const saved = await readState(dir);
    expect(saved?.format).toBe(STATE_FORMAT);
    expect(saved?.state).toEqual(state);
    expect((saved?.state as typeof state).rules[0]!.slots.lastTs).toBeInstanceOf(Float64Array);
  });

  it('stores the bytes of a small view, not the large buffer behind it', async () => {
    const { bytes } = await writeState(dir, { view: sampleState().rules[0]!.view });
    expect(bytes).toBeLessThan(1000);
  });

  it('reads a file written before the format had sections (the v8-serialized state alone)', async () => {
    const state = { kind: 'sluice.stream_aggr', v: 1, rules: [{ bytes: new Uint8Array([1, 2, 3]), groups: [null, { key: 'k' }] }] };
    writeFileSync(join(dir, STATE_FILE), serialize(state));
    expect(await readState(dir)).toEqual({ state, format: 1 });
  });

  it('has nothing to read in an empty directory, and ignores a write cut short', async () => {
    writeFileSync(join(dir, `${STATE_FILE}.123.tmp`), 'partial');
    expect(await readState(dir)).toBeUndefined();
    expect(existsSync(join(dir, `${STATE_FILE}.123.tmp`))).toBe(false);
  });

  it('moves a damaged file aside and names it in the error, so the next snapshot does not overwrite it', async () => {
    await writeState(dir, sampleState());
    const file = join(dir, STATE_FILE);
    const whole = readFileSync(file);
    writeFileSync(file, whole.subarray(0, whole.length - 100));
    await expect(readState(dir)).rejects.toThrow(`moved to ${file}.unreadable`);
    expect(existsSync(file)).toBe(false);
    expect(readFileSync(`${file}.unreadable`).length).toBe(whole.length - 100);
    expect(await readState(dir)).toBeUndefined();
  });

  it('refuses a file in a format newer than it knows', async () => {
    await writeState(dir, { a: 1 });
    const file = join(dir, STATE_FILE);
    const bytes = readFileSync(file);
    bytes.writeUInt32LE(STATE_FORMAT + 1, 8);
    writeFileSync(file, bytes);
    await expect(readState(dir)).rejects.toThrow(`state file format ${STATE_FORMAT + 1} is not one this Sluice reads`);
  });

  it('writes every byte in order when the disk takes a few at a time', async () => {
    const out: number[] = [];
    const disk = {
      async writev<B extends readonly NodeJS.ArrayBufferView[]>(buffers: B) {
        let n = 0;
        for (const b of buffers) for (const x of b as Uint8Array) if (n < 5) (out.push(x), n++);
        return { bytesWritten: n, buffers };
      },
    };
    const buffers = [new Uint8Array([1, 2, 3]), new Uint8Array(0), new Uint8Array([4, 5, 6, 7, 8, 9, 10]), new Uint8Array([11])];
    await writeAll(disk, buffers);
    expect(out).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });
});
