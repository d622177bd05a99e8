import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KernelError } from '../errors.js';
import { KERNEL_BUILD_DIR } from '../paths.js';

export type KernelVariant = 'simd' | 'scalar';

/** A loaded kernel: its exports, and views of its memory that stay valid across memory.grow. */
export interface KernelInstance<E> {
  readonly name: string;
  readonly variant: KernelVariant;
  readonly exports: E;
  readonly memory: WebAssembly.Memory;
  /** Current views; rebuilt when the kernel has grown its memory (old views are then detached). */
  views(): MemoryViews;
}

export interface MemoryViews {
  u8: Uint8Array;
  u32: Uint32Array;
  f64: Float64Array;
}

interface BaseExports {
  abi_version(): number;
  memory: WebAssembly.Memory;
}

/**
 * Loads build/<name>.simd.wasm, or build/<name>.release.wasm where the engine cannot compile SIMD,
 * checks its ABI version and turns AssemblyScript's `abort` into a KernelError.
 */
export async function loadKernel<E extends BaseExports>(
  name: string,
  abiVersion: number,
  opts: { variant?: KernelVariant } = {},
): Promise<KernelInstance<E>> {
  const order: KernelVariant[] = opts.variant ? [opts.variant] : ['simd', 'scalar'];
  let lastError: unknown;
  for (const variant of order) {
    const file = join(KERNEL_BUILD_DIR, `${name}.${variant === 'simd' ? 'simd' : 'release'}.wasm`);
    let module: WebAssembly.Module;
    try {
      module = await WebAssembly.compile(await readFile(file));
    } catch (err) {
      lastError = err;
      continue;
    }
    return instantiate<E>(name, variant, module, abiVersion);
  }
  throw new KernelError(`Cannot load kernel ${name}: ${(lastError as Error)?.message ?? 'no build found'} (run npm run build:asm)`, lastError);
}

function instantiate<E extends BaseExports>(name: string, variant: KernelVariant, module: WebAssembly.Module, abiVersion: number): KernelInstance<E> {
  let memory: WebAssembly.Memory | undefined;
  const imports = {
    env: {
      abort(msgPtr: number, filePtr: number, line: number, column: number): never {
        const msg = memory ? readAscString(memory, msgPtr) : '?';
        const file = memory ? readAscString(memory, filePtr) : '?';
        throw new KernelError(`kernel ${name} aborted: ${msg} at ${file}:${line}:${column}`);
      },
    },
  };
  const instance = new WebAssembly.Instance(module, imports);
  const exports = instance.exports as unknown as E;
  memory = exports.memory;
  const got = exports.abi_version();
  if (got !== abiVersion) {
    throw new KernelError(`Cannot load kernel ${name}: abi_version is ${got}, expected ${abiVersion}`);
  }
  let buffer: ArrayBuffer | undefined;
  let views: MemoryViews | undefined;
  return {
    name,
    variant,
    exports,
    memory,
    views() {
      const current = memory!.buffer;
      if (current !== buffer || views === undefined) {
        buffer = current;
        views = { u8: new Uint8Array(current), u32: new Uint32Array(current), f64: new Float64Array(current) };
      }
      return views;
    },
  };
}

/** AssemblyScript strings are UTF-16LE with their byte length in the 4 bytes before the pointer. */
function readAscString(memory: WebAssembly.Memory, ptr: number): string {
  if (ptr === 0) return '';
  const bytes = new Uint32Array(memory.buffer, ptr - 4, 1)[0]!;
  return Buffer.from(memory.buffer, ptr, bytes).toString('utf16le');
}
