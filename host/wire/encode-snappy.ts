import { createRequire } from 'node:module';

/**
 * Snappy compression, block format (as remote_write requires; not the framed stream format).
 * Hand-written: the sink's time went almost all into snappyjs's compressor, whose hash multiplies
 * in floating point (a 61-bit product, then a slow double-to-uint32 conversion) and compares
 * matches a byte at a time; this one uses Math.imul and 32-bit loads, and measured about 2x faster
 * on remote_write bodies (bench/remote-write-encode.bench.ts). Same algorithm as the reference
 * implementation: 64 KiB fragments, a hash table of 4-byte sequences, literal and copy elements,
 * skipping ahead faster through data that does not compress. Decompression is snappy.ts.
 */
const FRAGMENT = 1 << 16;
const MAX_TABLE_BITS = 14;
const INPUT_MARGIN = 15;
const table = new Uint16Array(1 << MAX_TABLE_BITS);
/** Worst-case-sized output, reused: the result is copied out at its real size. */
let scratch = new Uint8Array(1 << 16);

/** The compressed bytes, in a buffer of their own exact size (callers keep bodies queued). */
export function snappyCompress(input: Uint8Array): Uint8Array {
  const n = input.length;
  const bound = 32 + n + Math.floor(n / 6);
  if (scratch.length < bound) scratch = new Uint8Array(Math.max(bound, scratch.length * 2));
  const out = scratch;
  let op = 0;
  for (let v = n; ; v = Math.floor(v / 128)) {
    if (v < 0x80) {
      out[op++] = v;
      break;
    }
    out[op++] = (v & 0x7f) | 0x80;
  }
  for (let start = 0; start < n; start += FRAGMENT) {
    const end = Math.min(start + FRAGMENT, n);
    let bits = 8;
    while (1 << bits < end - start && bits < MAX_TABLE_BITS) bits++;
    table.fill(0, 0, 1 << bits);
    op = compressFragment(input, start, end, out, op, 32 - bits);
  }
  return out.slice(0, op);
}

function load32(a: Uint8Array, p: number): number {
  return a[p]! | (a[p + 1]! << 8) | (a[p + 2]! << 16) | (a[p + 3]! << 24);
}

function compressFragment(input: Uint8Array, start: number, end: number, out: Uint8Array, op: number, shift: number): number {
  let ip = start;
  let nextEmit = start;
  if (end - start >= INPUT_MARGIN) {
    const ipLimit = end - INPUT_MARGIN;
    let nextHash = Math.imul(load32(input, ++ip), 0x1e35a7bd) >>> shift;
    outer: for (;;) {
      // Look for a 4-byte match, stepping further apart the longer nothing matches.
      let skip = 32;
      let nextIp = ip;
      let candidate: number;
      do {
        ip = nextIp;
        const h = nextHash;
        nextIp = ip + (skip++ >>> 5);
        if (nextIp > ipLimit) break outer;
        nextHash = Math.imul(load32(input, nextIp), 0x1e35a7bd) >>> shift;
        candidate = start + table[h]!;
        table[h] = ip - start;
      } while (load32(input, ip) !== load32(input, candidate));
      op = emitLiteral(input, nextEmit, ip - nextEmit, out, op);
      // Emit copies for as long as the next position matches too.
      let here: number;
      do {
        const base = ip;
        let matched = 4;
        while (ip + matched + 4 <= end && load32(input, candidate + matched) === load32(input, ip + matched)) matched += 4;
        while (ip + matched < end && input[candidate + matched] === input[ip + matched]) matched++;
        ip += matched;
        op = emitCopy(out, op, base - candidate, matched);
        nextEmit = ip;
        if (ip >= ipLimit) break outer;
        table[Math.imul(load32(input, ip - 1), 0x1e35a7bd) >>> shift] = ip - 1 - start;
        here = Math.imul(load32(input, ip), 0x1e35a7bd) >>> shift;
        candidate = start + table[here]!;
        table[here] = ip - start;
      } while (load32(input, ip) === load32(input, candidate));
      nextHash = Math.imul(load32(input, ++ip), 0x1e35a7bd) >>> shift;
    }
  }
  if (nextEmit < end) op = emitLiteral(input, nextEmit, end - nextEmit, out, op);
  return op;
}

function emitLiteral(input: Uint8Array, from: number, len: number, out: Uint8Array, op: number): number {
  const n = len - 1;
  if (n < 60) out[op++] = n << 2;
  else if (n < 256) {
    out[op++] = 60 << 2;
    out[op++] = n;
  } else {
    out[op++] = 61 << 2;
    out[op++] = n & 0xff;
    out[op++] = n >>> 8;
  }
  if (len < 16) for (let i = 0; i < len; i++) out[op + i] = input[from + i]!;
  else out.set(input.subarray(from, from + len), op);
  return op + len;
}

function emitCopy(out: Uint8Array, op: number, offset: number, len: number): number {
  while (len >= 68) {
    op = emitCopyUpTo64(out, op, offset, 64);
    len -= 64;
  }
  if (len > 64) {
    op = emitCopyUpTo64(out, op, offset, 60);
    len -= 60;
  }
  return emitCopyUpTo64(out, op, offset, len);
}

function emitCopyUpTo64(out: Uint8Array, op: number, offset: number, len: number): number {
  if (len < 12 && offset < 2048) {
    out[op] = 1 | ((len - 4) << 2) | ((offset >>> 8) << 5);
    out[op + 1] = offset & 0xff;
    return op + 2;
  }
  out[op] = 2 | ((len - 1) << 2);
  out[op + 1] = offset & 0xff;
  out[op + 2] = offset >>> 8;
  return op + 3;
}

interface Snappyjs {
  compress(raw: Uint8Array): Uint8Array;
  uncompress(compressed: Uint8Array, maxLength?: number): Uint8Array;
}

// snappyjs ships no type declarations; this is the part of its API Sluice uses.
const snappyjs = createRequire(import.meta.url)('snappyjs') as Snappyjs;

/** snappyjs's compressor: the reference the hand one is tested and benchmarked against. */
export function snappyjsCompress(raw: Uint8Array): Uint8Array {
  return snappyjs.compress(raw);
}

/** snappyjs's decompression, kept for callers outside the request path (tests, benchmarks). */
export function snappyUncompress(compressed: Uint8Array, maxLength?: number): Uint8Array {
  return snappyjs.uncompress(compressed, maxLength);
}
