import { describe, expect, it } from 'vitest';
import { xxhash64 } from '../../host/relabel/xxhash64.js';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('xxhash64', () => {
  it('matches the published XXH64 values for short and long inputs', () => {
    expect(xxhash64(bytes(''))).toBe(0xef46db3751d8e999n);
    expect(xxhash64(bytes('a'))).toBe(0xd24ec4f1a98c6e5bn);
    expect(xxhash64(bytes('abc'))).toBe(0x44bc2cf5ad770999n);
    // 39 bytes: the 32-byte stripe path, then 8-, 4- and 1-byte tails.
    expect(xxhash64(bytes('Nobody inspects the spammish repetition'))).toBe(0xfbcea83c8a378bf1n);
  });

  it('reads a view at an offset like a standalone buffer', () => {
    const buf = bytes('__abc');
    expect(xxhash64(buf.subarray(2))).toBe(0x44bc2cf5ad770999n);
  });
});
