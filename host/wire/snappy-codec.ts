import { snappyCompress } from './encode-snappy.js';
import { snappyDecompress } from './snappy.js';
import { WasmSnappy } from './snappy-wasm.js';

/**
 * The process's snappy codec for sinks: the asm/snappy kernel once `loadSnappyCodec()` has
 * loaded it (compression 3.5x the TypeScript compressor on remote_write bodies, same bytes), the
 * TypeScript implementations before that or if the kernel cannot load. One kernel instance serves
 * the whole process: calls are synchronous and results are copied out, so callers never share
 * its memory. (The remote_write source keeps a kernel of its own and reads results in place.)
 */
let kernel: WasmSnappy | undefined;
let loading: Promise<string> | undefined;

export function compressSnappy(raw: Uint8Array): Uint8Array {
  return kernel ? kernel.compress(raw) : snappyCompress(raw);
}

/** The decompressed bytes in a buffer of their own; `maxBytes` bounds the declared length. */
export function decompressSnappy(body: Uint8Array, maxBytes: number): Uint8Array {
  return kernel ? kernel.decompress(body, maxBytes).slice() : snappyDecompress(body, maxBytes);
}

/** Loads the kernel once per process; resolves with the implementation in use. */
export function loadSnappyCodec(): Promise<string> {
  loading ??= WasmSnappy.create().then(
    (k) => {
      kernel = k;
      return k.implementation;
    },
    () => 'typescript',
  );
  return loading;
}
