import type { Tenant } from '../../host/batch/tenant.js';
import { snappyDeclaredLength } from '../../host/wire/snappy.js';

/**
 * A queued block: what one queue record holds. A 16-byte header (format version, protocol,
 * tenant, sample count) and the snappy-compressed protobuf body, ready to be POSTed as it is.
 * The header lets a sender route by tenant and count samples without decompressing.
 */
export const BLOCK_HEADER_BYTES = 16;
const FORMAT_VERSION = 1;

export interface BlockInfo {
  protocol: 1 | 2;
  tenant: Tenant;
  samples: number;
  /** The snappy-compressed body (a view into the record). */
  body: Uint8Array;
  /** Its uncompressed size, as the snappy preamble declares it. */
  rawBytes: number;
}

export function encodeBlock(protocol: 1 | 2, tenant: Tenant, samples: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(BLOCK_HEADER_BYTES + body.length);
  out.set(body, BLOCK_HEADER_BYTES);
  return writeBlockHeader(out, protocol, tenant, samples);
}

/**
 * Writes the header into the first BLOCK_HEADER_BYTES of `record`, whose body already follows
 * them (an encoder that left room for it saves copying the body again); returns `record`.
 */
export function writeBlockHeader(record: Uint8Array, protocol: 1 | 2, tenant: Tenant, samples: number): Uint8Array {
  const v = new DataView(record.buffer, record.byteOffset, BLOCK_HEADER_BYTES);
  v.setUint8(0, FORMAT_VERSION);
  v.setUint8(1, protocol);
  v.setUint16(2, 0, true);
  v.setUint32(4, tenant.accountId, true);
  v.setUint32(8, tenant.projectId, true);
  v.setUint32(12, samples, true);
  return record;
}

/** Reads a block; undefined for a record this version does not understand. */
export function decodeBlock(record: Uint8Array): BlockInfo | undefined {
  if (record.length < BLOCK_HEADER_BYTES) return undefined;
  const v = new DataView(record.buffer, record.byteOffset, record.length);
  const protocol = v.getUint8(1);
  if (v.getUint8(0) !== FORMAT_VERSION || (protocol !== 1 && protocol !== 2)) return undefined;
  return {
    protocol,
    tenant: { accountId: v.getUint32(4, true), projectId: v.getUint32(8, true) },
    samples: v.getUint32(12, true),
    body: record.subarray(BLOCK_HEADER_BYTES),
    rawBytes: safeDeclaredLength(record.subarray(BLOCK_HEADER_BYTES)),
  };
}

function safeDeclaredLength(body: Uint8Array): number {
  try {
    return snappyDeclaredLength(body);
  } catch {
    return 0;
  }
}
