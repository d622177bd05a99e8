/**
 * A growable byte buffer with the protobuf primitives the hand encoders need. Sizes of nested
 * messages are computed before they are written, so nothing is written twice or shifted.
 */
const utf8 = new TextEncoder();

export class ProtoWriter {
  buf: Uint8Array;
  pos = 0;

  constructor(capacity = 64 << 10) {
    this.buf = new Uint8Array(capacity);
  }

  reset(): void {
    this.pos = 0;
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const grown = new Uint8Array(cap);
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
  }

  /** The bytes written so far, as a view (valid until the next write or reset). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  /** A non-negative integer below 2^53 as a varint; the caller has ensured room. */
  varint(n: number): void {
    const b = this.buf;
    let p = this.pos;
    while (n > 0x7fffffff) {
      b[p++] = (n % 128) | 0x80;
      n = Math.floor(n / 128);
    }
    while (n >= 0x80) {
      b[p++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    b[p++] = n;
    this.pos = p;
  }

  /** An int64 field value: negative numbers take ten bytes of two's complement, as protobuf says. */
  int64(n: number): void {
    if (n >= 0) return this.varint(n);
    let v = BigInt.asUintN(64, BigInt(n));
    const b = this.buf;
    for (let i = 0; i < 9; i++) {
      b[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    b[this.pos++] = Number(v);
  }

  /** 8 bytes copied as they are (a double's bits, stale NaN payload included). */
  fixed64From(src: Uint8Array, at: number): void {
    const b = this.buf;
    const p = this.pos;
    b[p] = src[at]!;
    b[p + 1] = src[at + 1]!;
    b[p + 2] = src[at + 2]!;
    b[p + 3] = src[at + 3]!;
    b[p + 4] = src[at + 4]!;
    b[p + 5] = src[at + 5]!;
    b[p + 6] = src[at + 6]!;
    b[p + 7] = src[at + 7]!;
    this.pos = p + 8;
  }

  bytes(src: Uint8Array): void {
    this.ensure(src.length);
    this.buf.set(src, this.pos);
    this.pos += src.length;
  }

  /** A length-delimited string field: tag, UTF-8 length, bytes. */
  stringField(tag: number, s: string): void {
    this.ensure(s.length * 3 + 11);
    this.buf[this.pos++] = tag;
    // Reserve the longest length prefix for the worst case, then close the gap if it was shorter.
    const lenAt = this.pos;
    const maxLen = s.length * 3;
    const prefix = varintSize(maxLen);
    const { written } = utf8.encodeInto(s, this.buf.subarray(lenAt + prefix));
    const actual = varintSize(written);
    if (actual !== prefix) this.buf.copyWithin(lenAt + actual, lenAt + prefix, lenAt + prefix + written);
    this.pos = lenAt;
    this.varint(written);
    this.pos += written;
  }
}

export function varintSize(n: number): number {
  if (n < 0x80) return 1;
  if (n < 0x4000) return 2;
  if (n < 0x200000) return 3;
  if (n < 0x10000000) return 4;
  let size = 4;
  n = Math.floor(n / 0x10000000);
  while (n > 0) {
    size++;
    n = Math.floor(n / 128);
  }
  return size;
}

/** Bytes of an int64 field value: ten for any negative number. */
export function int64Size(n: number): number {
  return n < 0 ? 10 : varintSize(n);
}

/** Bytes of a Sample message (value = 1 double, timestamp = 2 int64), same in v1 and v2. */
export function sampleSize(ts: number): number {
  return 9 + 1 + int64Size(ts);
}
