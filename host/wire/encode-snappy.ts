import { createRequire } from 'node:module';

interface Snappy {
  compress(raw: Uint8Array): Uint8Array;
  uncompress(compressed: Uint8Array, maxLength?: number): Uint8Array;
}

// snappyjs ships no type declarations; this is the part of its API Sluice uses.
const snappy = createRequire(import.meta.url)('snappyjs') as Snappy;

/**
 * Snappy block format, as remote_write requires (not the framed stream format). Decoders use the
 * hand-written snappy.ts, which bounds the output before allocating; compression stays on snappyjs.
 */
export function snappyCompress(raw: Uint8Array): Uint8Array {
  return snappy.compress(raw);
}

/** snappyjs's decompression, kept for callers outside the request path (tests, benchmarks). */
export function snappyUncompress(compressed: Uint8Array, maxLength?: number): Uint8Array {
  return snappy.uncompress(compressed, maxLength);
}
