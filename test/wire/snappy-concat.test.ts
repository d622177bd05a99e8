import fc from 'fast-check';
import snappyjs from 'snappyjs';
import { describe, expect, it } from 'vitest';
import { snappyCompress } from '../../host/wire/encode-snappy.js';
import { snappyDecompress } from '../../host/wire/snappy.js';
import { snappyJoinParts } from '../../host/wire/snappy-concat.js';

/** The pieces as one body, as the receiver gets them. */
function concatSnappy(blocks: Uint8Array[]): Uint8Array {
  return Uint8Array.from(snappyJoinParts(blocks).flatMap((p) => [...p]));
}

/** Bytes that compress: runs and repeats, as protobuf bodies have, with some noise. */
const compressible = fc.array(fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.tuple(fc.nat(255), fc.integer({ min: 1, max: 300 })).map(([b, n]) => new Uint8Array(n).fill(b))), { maxLength: 30 })
  .map((parts) => {
    const out: number[] = [];
    for (const p of parts) out.push(...p, ...(out.length > 8 && p.length % 3 === 0 ? out.slice(-8) : []));
    return Uint8Array.from(out);
  });

describe('joining snappy blocks without recompressing', () => {
  it('decodes to the contents one after the other, with our decoder and with snappyjs', () => {
    fc.assert(
      fc.property(fc.array(compressible, { minLength: 1, maxLength: 5 }), (contents) => {
        const joined = concatSnappy(contents.map((c) => snappyCompress(c)));
        const want = Uint8Array.from(contents.flatMap((c) => [...c]));
        expect(snappyDecompress(joined, 1 << 30)).toEqual(want);
        expect(new Uint8Array(snappyjs.uncompress(joined))).toEqual(want);
      }),
    );
  });

  it('keeps copies that reach far back inside a block of more than one 64 KiB fragment', () => {
    const big = new Uint8Array(200_000).map((_, i) => (i * 7919) % 251);
    big.copyWithin(150_000, 10, 40_000);
    const joined = concatSnappy([snappyCompress(Uint8Array.of(1, 2, 3)), snappyCompress(big), snappyCompress(new Uint8Array(0))]);
    expect(snappyDecompress(joined, 1 << 30)).toEqual(Uint8Array.from([1, 2, 3, ...big]));
  });
});
