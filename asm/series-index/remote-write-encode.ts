// remote_write 1.0 encoding (prometheus.WriteRequest) straight from the index's own series
// entries, then snappy compression of the body, all in this memory: the sink copies three columns
// in and the compressed block out, and never turns a series into label bytes in JavaScript.
// host/wire/encode-v1.ts writeRequestV1 is the reference; the bytes are the same.
//
// Fields: WriteRequest.timeseries = 1; TimeSeries.labels = 1, samples = 2; Label.name = 1,
// value = 2; Sample.value = 1 (double), timestamp = 2 (int64).
import { alloc, blockSize, free } from './alloc';
import { ENTRY_HEADER, S_ENTRY, seriesAlive, seriesRecord } from './series';
import { compress, compress_bound, TABLE_BYTES } from '../snappy/compress';
import { copyShort } from '../shared/copy';

/** encode_v1 results below zero; host/wire/kernel-encode-v1.ts knows them by value. */
const DEAD_REF: i32 = -1;
const BAD_TIMESTAMP: i32 = -2;

/** Timestamps the int64 field can carry as the reference writes them (negative: two's complement). */
const TS_MIN: f64 = -9223372036854775808.0;
const TS_LIMIT: f64 = 18446744073709551616.0;

let columns: usize = 0;
let columnsBytes: usize = 0;
let body: usize = 0;
let bodyCap: usize = 0;
let bodyLen: usize = 0;
let packed: usize = 0;
let packedCap: usize = 0;
let table: usize = 0;
let failedRow: u32 = 0;

/**
 * The input columns for `rows` rows, laid out by `rows`: timestamps (f64 ms) at +0, value bits
 * (8 bytes each) at +8 * rows, refs (u32) at +16 * rows. Moves when it grows.
 */
export function encode_v1_columns(rows: u32): usize {
  const bytes = <usize>rows * 20;
  if (bytes > columnsBytes) {
    free(columns, columnsBytes);
    columnsBytes = blockSize(bytes < 65536 ? 65536 : bytes);
    columns = alloc(columnsBytes);
  }
  return columns;
}

/**
 * Writes the WriteRequest of the `rows` rows in the columns: one TimeSeries per run of equal
 * consecutive refs. Returns the body's length, or DEAD_REF / BAD_TIMESTAMP with the offending
 * row in encode_v1_failed_row(); a failed call leaves no body to compress.
 */
export function encode_v1(rows: u32): i32 {
  const ts = columns;
  const values = columns + (<usize>rows << 3);
  const refs = columns + (<usize>rows << 4);
  bodyLen = 0;
  let o: usize = 0;
  let i: u32 = 0;
  while (i < rows) {
    const ref = load<u32>(refs + (<usize>i << 2));
    if (!seriesAlive(ref)) {
      failedRow = i;
      return DEAD_REF;
    }
    const entry = <usize>load<u32>(seriesRecord(ref), S_ENTRY);
    const labels = load<u32>(entry, 12);
    const keyLen = load<u32>(entry, 8);
    let samples: u32 = 0;
    let j = i;
    do {
      const t = trunc<f64>(load<f64>(ts + (<usize>j << 3)));
      // NaN fails both comparisons.
      if (!(t >= TS_MIN && t < TS_LIMIT)) {
        failedRow = j;
        return BAD_TIMESTAMP;
      }
      samples += 12 + varintSize(bitsOf(t));
      j++;
    } while (j < rows && load<u32>(refs + (<usize>j << 2)) == ref);
    // Worst case: a 5-byte length prefix for the series and for each label.
    reserve(o, 6 + <usize>keyLen + (<usize>labels << 3) + <usize>samples);
    // The series' size is known only once its labels are written (their length prefixes vary), so
    // the content goes after a guessed prefix: the one of the smallest size it can have, nearly
    // always right; when the real one is longer, the content moves up.
    const guess = <usize>varintSize(<u64>(keyLen + (labels << 2) + samples));
    const content = o + 1 + guess;
    let e = writeLabels(entry, content);
    for (let k = i; k < j; k++) {
      const t = bitsOf(trunc<f64>(load<f64>(ts + (<usize>k << 3))));
      const p = body + e;
      store<u8>(p, 0x12);
      store<u8>(p, <u8>(10 + varintSize(t)), 1);
      store<u8>(p, 0x09, 2);
      // The value's bits as they are: f64 arithmetic could quieten the stale marker's NaN.
      store<u64>(p, load<u64>(values + (<usize>k << 3)), 3);
      store<u8>(p, 0x10, 11);
      e = varint(e + 12, t);
    }
    const size = e - content;
    const shift = <usize>varintSize(<u64>size) - guess;
    if (shift != 0) memory.copy(body + content + shift, body + content, size);
    store<u8>(body + o, 0x0a);
    varint(o + 1, <u64>size);
    o = e + shift;
    i = j;
  }
  bodyLen = o;
  return <i32>o;
}

/** The row that made the last encode_v1 fail. */
export function encode_v1_failed_row(): u32 {
  return failedRow;
}

/** Where the last body starts (valid until the next encode_v1). */
export function encode_v1_body(): usize {
  return body;
}

/** Snappy-compresses the last body (the same bytes as the snappy kernel); returns the length. */
export function encode_v1_compress(): u32 {
  if (table == 0) table = alloc(TABLE_BYTES);
  const bound = compress_bound(bodyLen);
  if (bound > packedCap) {
    free(packed, packedCap);
    packedCap = blockSize(bound);
    packed = alloc(packedCap);
  }
  return <u32>compress(body, bodyLen, packed, table);
}

/** Where the last compressed body starts (valid until the next encode_v1_compress). */
export function encode_v1_compressed(): usize {
  return packed;
}

/** The int64 field's unsigned varint value of a truncated timestamp in [TS_MIN, TS_LIMIT). */
// @ts-ignore: decorator
@inline function bitsOf(t: f64): u64 {
  return t < 0 ? <u64><i64>t : <u64>t;
}

// @ts-ignore: decorator
@inline function varintSize(v: u64): u32 {
  return (70 - <u32>clz<u64>(v | 1)) / 7;
}

/** Writes v as a varint at body + o; the caller has reserved room. Returns the next offset. */
// @ts-ignore: decorator
@inline function varint(o: usize, v: u64): usize {
  let p = body + o;
  while (v >= 0x80) {
    store<u8>(p++, <u8>(v | 0x80));
    v >>= 7;
  }
  store<u8>(p++, <u8>v);
  return p - body;
}

/**
 * A pair's bytes (varint name length, name, varint value length, value) become
 * Label{name, value}: the message's tag and length, then the same bytes with the value's tag
 * between name and value.
 */
function writeLabels(entry: usize, o: usize): usize {
  const n = load<u32>(entry, 12);
  for (let i: u32 = 0; i < n; i++) {
    const bytes = <usize>load<u32>(entry + ENTRY_HEADER + (<usize>i << 2));
    const len = <usize>load<u32>(bytes - 4);
    store<u8>(body + o++, 0x0a);
    o = varint(o, <u64>(len + 2));
    store<u8>(body + o++, 0x0a);
    // The name's length prefix and the name go as they are; the value's tag goes between.
    let nameLen: usize = 0;
    let shift: usize = 0;
    let q = bytes;
    let b: usize;
    do {
      b = <usize>load<u8>(q++);
      nameLen |= (b & 0x7f) << shift;
      shift += 7;
    } while (b >= 0x80);
    const head = q - bytes + nameLen;
    copyShort(body + o, bytes, head);
    o += head;
    store<u8>(body + o++, 0x12);
    copyShort(body + o, bytes + head, len - head);
    o += len - head;
  }
  return o;
}

/** Makes room for `more` bytes after the first `used` of the body (growing by doubling). */
function reserve(used: usize, more: usize): void {
  const need = used + more;
  if (need > bodyCap) {
    let cap: usize = bodyCap < 65536 ? 65536 : bodyCap;
    while (cap < need) cap <<= 1;
    const grown = alloc(cap);
    if (used > 0) memory.copy(grown, body, used);
    free(body, bodyCap);
    body = grown;
    bodyCap = cap;
  }
}
