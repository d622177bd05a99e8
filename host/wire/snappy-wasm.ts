import { loadKernel, type KernelInstance, type KernelVariant } from '../kernels/loader.js';
import { snappyError, snappyLengthWithin } from './snappy.js';

interface SnappyExports {
  abi_version(): number;
  memory: WebAssembly.Memory;
  reserve(bytes: number): number;
  decompress(src: number, n: number, dst: number, total: number): number;
  compress(src: number, n: number, dst: number, table: number): number;
  compress_bound(n: number): number;
  TABLE_BYTES: WebAssembly.Global;
}

const ABI_VERSION = 2;

/**
 * Snappy block compression and decompression in the asm/snappy kernel, with host/wire/snappy.ts
 * and host/wire/encode-snappy.ts as their references (compression gives the very same bytes).
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
  #table = 0;

  private constructor(k: KernelInstance<SnappyExports>) {
    this.#k = k;
  }

  static async create(opts: { variant?: KernelVariant } = {}): Promise<WasmSnappy> {
    return new WasmSnappy(await loadKernel<SnappyExports>('snappy', ABI_VERSION, opts));
  }

  /** As snappyCompress(): the compressed bytes, in a buffer of their own (callers keep them). */
  compress(input: Uint8Array): Uint8Array {
    const x = this.#k.exports;
    if (this.#table === 0) this.#table = x.reserve(Number(x.TABLE_BYTES.value)) >>> 0;
    this.#ensureSrc(input.length);
    const bound = x.compress_bound(input.length) >>> 0;
    this.#ensureDst(bound);
    new Uint8Array(x.memory.buffer, this.#src, input.length).set(input);
    const n = x.compress(this.#src, input.length, this.#dst, this.#table) >>> 0;
    return new Uint8Array(x.memory.buffer, this.#dst, n).slice();
  }

  get implementation(): string {
    return `wasm-${this.#k.variant}`;
  }

  /** As snappyDecompress(): TooLargeError over `maxBytes`, WireError for a corrupt block. */
  decompress(body: Uint8Array, maxBytes: number): Uint8Array {
    const total = snappyLengthWithin(body, maxBytes);
    const x = this.#k.exports;
    this.#ensureSrc(body.length);
    this.#ensureDst(total);
    new Uint8Array(x.memory.buffer, this.#src, body.length).set(body);
    const got = x.decompress(this.#src, body.length, this.#dst, total);
    if (got < 0) throw snappyError(got);
    return new Uint8Array(x.memory.buffer, this.#dst, total);
  }

  #ensureSrc(bytes: number): void {
    if (bytes <= this.#srcCap) return;
    this.#srcCap = Math.max(bytes, this.#srcCap * 2, 1 << 16);
    this.#src = this.#k.exports.reserve(this.#srcCap) >>> 0;
  }

  #ensureDst(bytes: number): void {
    if (bytes <= this.#dstCap) return;
    this.#dstCap = Math.max(bytes, this.#dstCap * 2, 1 << 20);
    this.#dst = this.#k.exports.reserve(this.#dstCap) >>> 0;
  }
}
