import { WireError } from './wire-error.js';

/** Protobuf wire types (the low three bits of a field tag). */
export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;

/**
 * A hand-driven reader over protobuf bytes: the decoders walk messages field by field with it
 * instead of building objects. Every read is bounds-checked against `end` and fails with a
 * BadInputError naming what was being read, so a malformed body can never read past its message.
 */
export class ProtoCursor {
  buf: Uint8Array;
  pos: number;
  end: number;
  #view: DataView;

  constructor(buf: Uint8Array, pos = 0, end = buf.length) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
    this.#view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** An unsigned varint that fits in 32 bits (tags, lengths, symbol refs). */
  uint32(what: string): number {
    const buf = this.buf;
    let p = this.pos;
    let result = 0;
    let shift = 0;
    for (;;) {
      if (p >= this.end) throw truncated(what);
      const b = buf[p++]!;
      if (shift < 28) result |= (b & 0x7f) << shift;
      else {
        // The fifth byte may only carry the top four bits of a 32-bit number.
        if (b > 0x0f) throw new WireError('protobuf', `${what} does not fit in 32 bits`);
        result |= b << 28;
      }
      if (b < 0x80) break;
      shift += 7;
    }
    this.pos = p;
    return result >>> 0;
  }

  /**
   * A signed int64 varint as a JavaScript number: exact for |n| < 2^53, which covers every
   * millisecond timestamp; negative numbers arrive as ten-byte two's complement.
   */
  int64(what: string): number {
    const buf = this.buf;
    let p = this.pos;
    let lo = 0;
    let hi = 0;
    let b = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (p >= this.end) throw truncated(what);
      b = buf[p++]!;
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = p;
        return lo >>> 0;
      }
    }
    if (p >= this.end) throw truncated(what);
    b = buf[p++]!;
    lo |= (b & 0x0f) << 28;
    hi = (b & 0x7f) >> 4;
    for (let shift = 3; b >= 0x80; shift += 7) {
      if (shift > 31) throw new WireError('protobuf', `varint too long in ${what}`);
      if (p >= this.end) throw truncated(what);
      b = buf[p++]!;
      hi |= (b & 0x7f) << shift;
    }
    this.pos = p;
    return hi * 4294967296 + (lo >>> 0);
  }

  /** A zigzag-encoded sint32/sint64 that fits in 53 bits. */
  sint(what: string): number {
    const n = this.int64(what);
    // int64() gives hi as signed; undo zigzag on the full 64-bit pattern.
    const u = n < 0 ? n + 18446744073709551616 : n;
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  /** A little-endian double, as bits: the caller copies it, never computes with it. */
  double(what: string): number {
    const p = this.pos;
    if (p + 8 > this.end) throw truncated(what);
    this.pos = p + 8;
    return this.#view.getFloat64(p, true);
  }

  /** The length prefix of a length-delimited field, checked against what is left. */
  length(what: string): number {
    const n = this.uint32(what);
    if (n > this.end - this.pos) throw new WireError('protobuf', `${what} claims ${n} bytes but only ${this.end - this.pos} remain`);
    return n;
  }

  /** Skips a field of an unknown number, as protobuf requires for forward compatibility. */
  skip(wireType: number, what: string): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.int64(what);
        return;
      case WIRE_I64:
        if (this.pos + 8 > this.end) throw truncated(what);
        this.pos += 8;
        return;
      case WIRE_LEN:
      {
        // Not `this.pos += this.length()`: that adds to the position from before the prefix.
        const n = this.length(what);
        this.pos += n;
        return;
      }
      case WIRE_I32:
        if (this.pos + 4 > this.end) throw truncated(what);
        this.pos += 4;
        return;
      default:
        throw new WireError('protobuf', `invalid wire type ${wireType} in ${what}`);
    }
  }
}

function truncated(what: string): WireError {
  return new WireError('protobuf', `truncated protobuf: unexpected end of data in ${what}`);
}
