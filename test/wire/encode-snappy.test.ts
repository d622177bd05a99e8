import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { snappyCompress, snappyjsCompress, snappyUncompress } from '../../host/wire/encode-snappy.js';
import { snappyDecompress } from '../../host/wire/snappy.js';
import { WasmSnappy } from '../../host/wire/snappy-wasm.js';

/** Inputs shaped like what compresses badly and well: random bytes, runs, repeated phrases, and mixes. */
const input = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc.uint8Array({ minLength: 1, maxLength: 8 }).chain((unit) => fc.integer({ min: 1, max: 10_000 }).map((times) => {
    const out = new Uint8Array(unit.length * times);
    for (let i = 0; i < times; i++) out.set(unit, i * unit.length);
    return out;
  })),
  fc.array(fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.constant(new TextEncoder().encode('__name__http_requests_total'))), { maxLength: 400 }).map((parts) => Buffer.concat(parts)),
  fc.integer({ min: 0, max: 150_000 }).map((n) => Uint8Array.from({ length: n }, (_, i) => (i * 2654435761) >>> 24 & (i % 3 ? 0xff : 0x0f))),
);

describe('snappyCompress', () => {
  it('round-trips through both decompressors', () => {
    fc.assert(
      fc.property(input, (raw) => {
        const c = snappyCompress(raw);
        // Buffer.equals, not toEqual: a deep diff of 100 KiB buffers is slower than the whole property.
        expect(Buffer.from(snappyDecompress(c, raw.length)).equals(raw)).toBe(true);
        expect(Buffer.from(snappyUncompress(c)).equals(raw)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  // The two skip through incompressible data at different paces, so either may win by a hair:
  // a few bytes on small inputs, a few hundredths of a percent on large ones (12 bytes in 27 KB seen).
  it('compresses no worse than snappyjs, give or take 1% and a few bytes', () => {
    fc.assert(
      fc.property(input, (raw) => {
        const reference = snappyjsCompress(raw).length;
        expect(snappyCompress(raw).length).toBeLessThanOrEqual(reference + 16 + Math.ceil(reference / 100));
      }),
    );
  });

  it('handles the edges: empty input, inputs under the match margin, and matches longer than 64 bytes', () => {
    for (const raw of [new Uint8Array(0), Uint8Array.of(7), new Uint8Array(14).fill(3), new Uint8Array(100_000).fill(9), new Uint8Array(70_000)]) {
      expect(Buffer.from(snappyDecompress(snappyCompress(raw), raw.length)).equals(raw)).toBe(true);
    }
    // 100k equal bytes: a literal and copies of at most 64 bytes, so about 3 bytes per 64.
    expect(snappyCompress(new Uint8Array(100_000).fill(9)).length).toBeLessThan(5000);
  });
});

describe.each(['simd', 'scalar'] as const)('snappy compression kernel (%s build)', (variant) => {
  it('gives byte for byte what the TypeScript compressor gives, on random input', async () => {
    const kernel = await WasmSnappy.create({ variant });
    fc.assert(
      fc.property(input, (raw) => {
        expect(Buffer.from(kernel.compress(raw)).equals(Buffer.from(snappyCompress(raw)))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('returns a buffer of its own, untouched by the next call', async () => {
    const kernel = await WasmSnappy.create({ variant });
    const first = kernel.compress(new Uint8Array(1000).fill(1));
    const copy = Buffer.from(first);
    kernel.compress(new Uint8Array(5000).fill(2));
    expect(Buffer.from(first).equals(copy)).toBe(true);
    expect(Buffer.from(snappyDecompress(first, 1000)).equals(Buffer.alloc(1000, 1))).toBe(true);
  });
});
