import { TooLargeError } from '../errors.js';
import { loadKernel, type KernelInstance, type KernelVariant } from '../kernels/loader.js';
import { snappyDeclaredLength, snappyError } from './snappy.js';

interface SnappyExports {
  abi_version(): number;
  memory: WebAssembly.Memory;
  reserve(bytes: number): number;
  decompress(src: number, n: number, dst: number, total: number): number;
}

const ABI_VERSION = 1;

/**
 * Snappy block decompression in the asm/snappy kernel, with host/wire/snappy.ts as its reference.
 * The body is copied into the kernel's memory and decompressed there; the result is a view of
 * that memory, valid until the next call (the decoders copy out all they keep before then).
 * Input and output regions are reserved once and regrown (never freed: the kernel's allocator
 * is a bump allocator) when a larger body arrives.
 */
export class WasmSnappy {
  readonly #k: KernelInstance<SnappyExports>;
  #src = 0;
  #srcCap = 0;
  #dst = 0;
  #dstCap = 0;

  private constructor(k: KernelInstance<SnappyExports>) {
    this.#k = k;
  }

  static async create(opts: { variant?: KernelVariant } = {}): Promise<WasmSnappy> {
    return new WasmSnappy(await loadKernel<SnappyExports>('snappy', ABI_VERSION, opts));
  }

  get implementation(): string {
    return `wasm-${this.#k.variant}`;
  }

  /** As snappyDecompress(): TooLargeError over `maxBytes`, WireError for a corrupt block. */
  decompress(body: Uint8Array, maxBytes: number): Uint8Array {
    const total = snappyDeclaredLength(body);
    if (total > maxBytes) throw new TooLargeError(`snappy body declares ${total} bytes uncompressed, over the limit of ${maxBytes}`);
    const x = this.#k.exports;
    if (body.length > this.#srcCap) {
      this.#srcCap = Math.max(body.length, this.#srcCap * 2, 1 << 16);
      this.#src = x.reserve(this.#srcCap) >>> 0;
    }
    if (total > this.#dstCap) {
      this.#dstCap = Math.max(total, this.#dstCap * 2, 1 << 20);
      this.#dst = x.reserve(this.#dstCap) >>> 0;
    }
    new Uint8Array(x.memory.buffer, this.#src, body.length).set(body);
    const got = x.decompress(this.#src, body.length, this.#dst, total);
    if (got < 0) throw snappyError(got);
    return new Uint8Array(x.memory.buffer, this.#dst, total);
  }
}
