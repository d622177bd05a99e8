import { open, readFile, rename, rm } from 'node:fs/promises';
import type { Tenant } from '../batch/tenant.js';

/**
 * The on-disk form of a series index: a logical image (refs, metric ids, pair ids and key bytes),
 * not a memory dump, so both implementations read and write the same file and a kernel layout
 * change does not invalidate saved state. Little-endian:
 *
 *   magic "SLUIDX\r\n" | version u32 | tenants u32 | pairs u32 | series u32 | free u32
 *   | refLimit u32 | nextPair u32 | nextMetricId f64
 *   tenants: (accountId u32, projectId u32)*
 *   pairs:   (id u32, tenant u32, len u32, bytes)*        label pairs with live series only
 *   series:  (ref u32, tenant u32, metricId f64, len u32, key bytes)*   ascending ref
 *   free:    ref u32*                                     in reuse order
 */
export const SERIES_FILE_VERSION = 1;
const MAGIC = Buffer.from('SLUIDX\r\n', 'latin1');
const HEADER = MAGIC.length + 4 * 8 + 8;
const CHUNK = 1 << 20;

export interface IndexImage {
  tenants: readonly Tenant[];
  refLimit: number;
  nextPair: number;
  nextMetricId: number;
  free: ArrayLike<number>;
  pairs(emit: (id: number, tenantId: number, bytes: Uint8Array) => void): void;
  series(emit: (ref: number, tenantId: number, metricId: number, key: Uint8Array) => void): void;
}

export interface IndexImageReader {
  header(h: { tenants: Tenant[]; refLimit: number; nextPair: number; nextMetricId: number }): void;
  pair(id: number, tenantId: number, bytes: Uint8Array): void;
  series(ref: number, tenantId: number, metricId: number, key: Uint8Array): void;
  free(ref: number): void;
}

/** Appends to 1 MiB buffers, so a large index is written without one giant allocation. */
class ChunkWriter {
  readonly chunks: Buffer[] = [];
  #buf = Buffer.allocUnsafe(CHUNK);
  #pos = 0;

  #room(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    this.chunks.push(this.#buf.subarray(0, this.#pos));
    this.#buf = Buffer.allocUnsafe(Math.max(CHUNK, n));
    this.#pos = 0;
  }
  u32(v: number): void {
    this.#room(4);
    this.#pos = this.#buf.writeUInt32LE(v, this.#pos);
  }
  f64(v: number): void {
    this.#room(8);
    this.#pos = this.#buf.writeDoubleLE(v, this.#pos);
  }
  bytes(b: Uint8Array): void {
    this.#room(b.length);
    this.#buf.set(b, this.#pos);
    this.#pos += b.length;
  }
  finish(): Buffer[] {
    this.chunks.push(this.#buf.subarray(0, this.#pos));
    return this.chunks;
  }
}

/** Writes an image to `path` atomically: a temp file beside it, fsync, then rename over. */
export async function writeIndexFile(path: string, image: IndexImage): Promise<void> {
  const w = new ChunkWriter();
  w.bytes(new Uint8Array(HEADER));
  for (const t of image.tenants) {
    w.u32(t.accountId);
    w.u32(t.projectId);
  }
  let pairs = 0;
  image.pairs((id, tenantId, bytes) => {
    w.u32(id);
    w.u32(tenantId);
    w.u32(bytes.length);
    w.bytes(bytes);
    pairs++;
  });
  let series = 0;
  image.series((ref, tenantId, metricId, key) => {
    w.u32(ref);
    w.u32(tenantId);
    w.f64(metricId);
    w.u32(key.length);
    w.bytes(key);
    series++;
  });
  for (let i = 0; i < image.free.length; i++) w.u32(image.free[i]!);
  const chunks = w.finish();
  const head = chunks[0]!;
  MAGIC.copy(head, 0);
  let p = MAGIC.length;
  for (const v of [SERIES_FILE_VERSION, image.tenants.length, pairs, series, image.free.length, image.refLimit, image.nextPair]) p = head.writeUInt32LE(v, p);
  p += 4;
  head.writeDoubleLE(image.nextMetricId, p);

  const tmp = `${path}.tmp-${process.pid}`;
  const fh = await open(tmp, 'w');
  try {
    for (const c of chunks) await fh.write(c);
    await fh.sync();
  } catch (err) {
    await fh.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  await rename(tmp, path);
}

/** Reads a file from writeIndexFile into `reader`. Throws RangeError for a file that is not one. */
export async function readIndexFile(path: string, reader: IndexImageReader): Promise<void> {
  const buf = await readFile(path);
  const bad = (why: string): never => {
    throw new RangeError(`Cannot load series index ${path}: ${why}`);
  };
  if (buf.length < HEADER || !buf.subarray(0, MAGIC.length).equals(MAGIC)) bad('not a series index file');
  let p = MAGIC.length;
  const u32 = (): number => {
    if (p + 4 > buf.length) bad('truncated');
    const v = buf.readUInt32LE(p);
    p += 4;
    return v;
  };
  const version = u32();
  if (version !== SERIES_FILE_VERSION) bad(`format version ${version}, this build reads ${SERIES_FILE_VERSION}`);
  const [tenantCount, pairs, series, free, refLimit, nextPair] = [u32(), u32(), u32(), u32(), u32(), u32()];
  p += 4;
  const nextMetricId = buf.readDoubleLE(p);
  p = HEADER;
  const bytes = (): Uint8Array => {
    const n = u32();
    if (p + n > buf.length) bad('truncated');
    p += n;
    return buf.subarray(p - n, p);
  };
  const tenants: Tenant[] = [];
  for (let i = 0; i < tenantCount; i++) tenants.push({ accountId: u32(), projectId: u32() });
  reader.header({ tenants, refLimit, nextPair, nextMetricId });
  for (let i = 0; i < pairs; i++) {
    const id = u32();
    const tenantId = u32();
    if (tenantId >= tenantCount || id === 0 || id >= nextPair) bad(`pair ${id} out of range`);
    reader.pair(id, tenantId, bytes());
  }
  for (let i = 0; i < series; i++) {
    const ref = u32();
    const tenantId = u32();
    if (p + 8 > buf.length) bad('truncated');
    const metricId = buf.readDoubleLE(p);
    p += 8;
    if (tenantId >= tenantCount || ref >= refLimit) bad(`series ${ref} out of range`);
    reader.series(ref, tenantId, metricId, bytes());
  }
  for (let i = 0; i < free; i++) reader.free(u32());
  if (p !== buf.length) bad(`${buf.length - p} unexpected bytes at the end`);
}
