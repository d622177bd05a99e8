import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeSeriesKey, encodeSeriesKey, writeVarint } from '../../host/series/series-key.js';

/** The key as its definition says: varint(len) and UTF-8 bytes of every name and value, in order. */
function definitionKey(labels: { name: string; value: string }[]): Uint8Array {
  const bytes: number[] = [];
  const scratch = new Uint8Array(5);
  for (const s of labels.flatMap((l) => [l.name, l.value])) {
    const utf8 = new TextEncoder().encode(s);
    bytes.push(...scratch.subarray(0, writeVarint(scratch, 0, utf8.length)), ...utf8);
  }
  return Uint8Array.from(bytes);
}

describe('canonical series keys', () => {
  it('are the varint-prefixed UTF-8 of every name and value, for any strings (lone surrogates included)', () => {
    const text = fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)), maxLength: 3 }));
    fc.assert(
      fc.property(fc.array(fc.record({ name: text, value: text }), { maxLength: 12 }), (labels) => {
        const key = encodeSeriesKey(labels);
        expect(key).toEqual(definitionKey(labels));
        // What decodes back is what TextEncoder/TextDecoder make of each string.
        expect(decodeSeriesKey(key)).toEqual(labels.map((l) => ({ name: new TextDecoder().decode(new TextEncoder().encode(l.name)), value: new TextDecoder().decode(new TextEncoder().encode(l.value)) })));
      }),
    );
  });
});
