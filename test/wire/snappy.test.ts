import fc from 'fast-check';
import snappy from 'snappyjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TooLargeError } from '../../host/errors.js';
import { snappyDeclaredLength, snappyDecompress } from '../../host/wire/snappy.js';
import { WasmSnappy } from '../../host/wire/snappy-wasm.js';
import { WireError } from '../../host/wire/wire-error.js';

const compress = (raw: Uint8Array): Uint8Array => new Uint8Array(snappy.compress(raw));

/** Data with long repeats and short literals, as protobuf bodies have. */
const repetitive = fc
  .array(fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.constantFrom(...['__name__', 'instance', 'http_requests_total', 'job'].map((s) => new TextEncoder().encode(s)))), { maxLength: 400 })
  .chain((parts) => fc.integer({ min: 1, max: 5 }).map((times) => Uint8Array.from(Array.from({ length: times }, () => parts.flatMap((p) => [...p])).flat())));

describe('snappy block decompression', () => {
  it('gives the same bytes as snappyjs for random and repetitive input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 100_000 }), repetitive), (raw) => {
        const z = compress(raw);
        const mine = snappyDecompress(z, 1 << 24);
        expect(Buffer.from(mine).equals(Buffer.from(snappy.uncompress(z)))).toBe(true);
        expect(Buffer.from(mine).equals(Buffer.from(raw))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses corrupted input with a WireError and never reads out of bounds', () => {
    fc.assert(
      fc.property(repetitive, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (raw, flips) => {
        const z = compress(raw);
        for (const [at, byte] of flips) z[at % z.length] = byte;
        try {
          const out = snappyDecompress(z, 1 << 24);
          expect(out.length).toBe(snappyDeclaredLength(z));
        } catch (err) {
          expect(err instanceof WireError || err instanceof TooLargeError).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('refuses every truncation of a valid block', () => {
    const z = compress(new TextEncoder().encode('abcabcabcabc'.repeat(50) + 'tail'));
    for (let cut = 0; cut < z.length; cut++) expect(() => snappyDecompress(z.subarray(0, cut), 1 << 20)).toThrow(WireError);
  });

  it('refuses a block declaring more than the limit before allocating it', () => {
    const bomb = Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00]);
    expect(() => snappyDecompress(bomb, 32 << 20)).toThrow(TooLargeError);
  });

  it('refuses a copy that points before the start of the output', () => {
    // Declared 8 bytes; a 2-byte-offset copy of length 4 from offset 3 with nothing written yet.
    expect(() => snappyDecompress(Uint8Array.from([8, 0x0e, 3, 0]), 100)).toThrow(/before the start/);
  });
});

describe('snappy kernel', () => {
  let kernel: WasmSnappy;
  beforeAll(async () => {
    kernel = await WasmSnappy.create();
  });

  /** The reference's answer: the bytes, or the error class and message. */
  function outcome(f: () => Uint8Array): string {
    try {
      return Buffer.from(f()).toString('base64');
    } catch (err) {
      return `${(err as Error).constructor.name}: ${(err as Error).message}`;
    }
  }

  it('gives the same bytes as the TypeScript reference on random and repetitive input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200_000 }), repetitive), (raw) => {
        const z = compress(raw);
        expect(Buffer.from(kernel.decompress(z, 1 << 24)).equals(Buffer.from(snappyDecompress(z, 1 << 24)))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('accepts and refuses exactly what the reference does, with the same message', () => {
    fc.assert(
      fc.property(repetitive, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.nat(), (raw, flips, cut) => {
        const z = compress(raw);
        for (const [at, byte] of flips) z[at % z.length] = byte;
        const body = cut % 3 === 0 ? z.subarray(0, cut % (z.length + 1)) : z;
        expect(outcome(() => kernel.decompress(body, 1 << 22))).toBe(outcome(() => snappyDecompress(body, 1 << 22)));
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps working after a body larger than any before it', () => {
    const small = compress(new TextEncoder().encode('a'.repeat(100)));
    const big = compress(Uint8Array.from({ length: 3 << 20 }, (_, i) => (i * 7) & 0xff));
    expect(kernel.decompress(small, 1 << 24).length).toBe(100);
    expect(kernel.decompress(big, 1 << 24).length).toBe(3 << 20);
    expect(Buffer.from(kernel.decompress(small, 1 << 24)).toString()).toBe('a'.repeat(100));
  });
});
