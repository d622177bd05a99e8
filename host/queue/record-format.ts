import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { crc32 } from 'node:zlib';

/**
 * A queue record on disk: u32 LE payload length, u32 LE crc32 of the payload, the payload.
 * The checksum is what lets recovery tell a torn tail (a write cut short by kill -9 or a power
 * loss) from a complete record: a length alone would accept a header whose payload never landed.
 */
export const RECORD_HEADER_BYTES = 8;

/** Refuse absurd lengths read from a damaged header instead of allocating them. */
export const MAX_RECORD_BYTES = 1 << 30;

export function recordHeader(payload: Uint8Array): Uint8Array {
  const h = new Uint8Array(RECORD_HEADER_BYTES);
  const v = new DataView(h.buffer);
  v.setUint32(0, payload.length, true);
  v.setUint32(4, crc32(payload), true);
  return h;
}

export interface ReadRecord {
  payload: Uint8Array;
  /** Bytes the record occupies on disk, header included. */
  size: number;
}

const header = new Uint8Array(RECORD_HEADER_BYTES);
const headerView = new DataView(header.buffer);

/**
 * Reads the record at `pos` of an open file whose valid bytes end at `limit`; undefined when the
 * bytes there are not a whole record with a matching checksum.
 */
export function readRecordAt(fd: number, pos: number, limit: number): ReadRecord | undefined {
  if (pos + RECORD_HEADER_BYTES > limit) return undefined;
  if (readSync(fd, header, 0, RECORD_HEADER_BYTES, pos) !== RECORD_HEADER_BYTES) return undefined;
  const length = headerView.getUint32(0, true);
  const sum = headerView.getUint32(4, true);
  if (length > MAX_RECORD_BYTES || pos + RECORD_HEADER_BYTES + length > limit) return undefined;
  const payload = new Uint8Array(length);
  if (length > 0 && readSync(fd, payload, 0, length, pos + RECORD_HEADER_BYTES) !== length) return undefined;
  if (crc32(payload) !== sum) return undefined;
  return { payload, size: RECORD_HEADER_BYTES + length };
}

/**
 * The length of the longest prefix of a segment file made of whole, valid records: where recovery
 * truncates a segment that a crash left with a torn tail.
 */
export function validPrefixLength(path: string): number {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    let pos = 0;
    for (;;) {
      const r = readRecordAt(fd, pos, size);
      if (!r) return pos;
      pos += r.size;
    }
  } finally {
    closeSync(fd);
  }
}
