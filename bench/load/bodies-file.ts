import { readFile, writeFile } from 'node:fs/promises';
import type { EncodedBodies } from './body-builder.js';

/** The first bytes of a bodies file, so a wrong file is refused instead of sent. */
const MAGIC = 'SLUICE-BODIES/1\n';

/**
 * Saves encoded bodies, so every program in an end-to-end run (and every repeat) receives the very
 * same bytes, and the load generator process spends no time encoding. Layout: magic, a u32
 * length-prefixed JSON header, then per body a u32 sample count, a u32 length and the bytes.
 */
export async function saveBodies(file: string, b: EncodedBodies): Promise<void> {
  const header = Buffer.from(JSON.stringify({ version: b.version, rawBytes: b.rawBytes, compressedBytes: b.compressedBytes, series: b.series, resets: b.resets, count: b.bodies.length }));
  const parts: Uint8Array[] = [Buffer.from(MAGIC), u32(header.length), header];
  b.bodies.forEach((body, i) => parts.push(u32(b.samples[i]!), u32(body.byteLength), body));
  await writeFile(file, Buffer.concat(parts));
}

/** Loads a file written by saveBodies; a truncated or foreign file is an error naming the file. */
export async function loadBodies(file: string): Promise<EncodedBodies> {
  const buf = await readFile(file);
  const fail = (why: string): never => {
    throw new Error(`Cannot load remote_write bodies from ${file}: ${why}`);
  };
  if (buf.subarray(0, MAGIC.length).toString() !== MAGIC) fail('not a bodies file (bad magic)');
  let pos = MAGIC.length;
  const read32 = () => {
    if (pos + 4 > buf.length) fail('truncated');
    const v = buf.readUInt32LE(pos);
    pos += 4;
    return v;
  };
  const headerLen = read32();
  const header = JSON.parse(buf.subarray(pos, pos + headerLen).toString()) as Omit<EncodedBodies, 'bodies' | 'samples'> & { count: number };
  pos += headerLen;
  const bodies: Uint8Array[] = [];
  const samples: number[] = [];
  for (let i = 0; i < header.count; i++) {
    samples.push(read32());
    const len = read32();
    if (pos + len > buf.length) fail('truncated');
    bodies.push(buf.subarray(pos, pos + len));
    pos += len;
  }
  return { version: header.version, rawBytes: header.rawBytes, compressedBytes: header.compressedBytes, series: header.series, resets: header.resets, bodies, samples };
}

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return b;
}
