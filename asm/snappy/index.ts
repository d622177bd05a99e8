// Snappy block compression and decompression (the format remote_write bodies use), for sinks and
// for the reference decoding path: the host checks the declared length, copies the body in, and
// reads the output through a view. The algorithms live in compress.ts and decompress.ts.
import { reserve } from '../shared/arena';

export { reserve };
export { compress, compress_bound, TABLE_BYTES } from './compress';
export { decompress } from './decompress';

/** Bumped whenever an export's signature changes. */
export const ABI_VERSION: i32 = 2;

export function abi_version(): i32 {
  return ABI_VERSION;
}

/** 1 when this build uses SIMD instructions, 0 for the scalar build. */
export function simd(): i32 {
  return ASC_FEATURE_SIMD ? 1 : 0;
}
