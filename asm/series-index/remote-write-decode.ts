// remote_write 1.0 decoding inside the index's memory: the snappy body is decompressed here, the
// WriteRequest walked here, every series resolved here (by its wire labels when they are the bytes
// it last came with, else by its canonical key, written and looked up here), so a request costs
// the host one copy in and three column copies out, and no JavaScript touches a label byte of a
// series the index already knows. host/wire/decode-v1.ts is the reference: this walker accepts
// and refuses exactly what it does (tests/wire/kernel-decode-v1.test.ts), and the host asks the
// reference for the message whenever this returns an error code.
//
// After rw_decode_v1() the results sit in regions described by the block rw_result() points to
// (RESULT_* below; after an error only the raw body's place): the keys back to back with their
// offsets (empty for series resolved by wire labels), one ref per series (-1 for keys the index
// lacks, which the host checks and inserts), and the sample rows as three columns whose first
// holds the series' ordinal until rw_assign() swaps in its ref. Exemplars, native histograms and
// metadata are rare and become objects on the host, so they are only located: a side entry is
// [kind, series ordinal, start, end, rows before it], offsets into the raw body.
import { alloc, free } from './alloc';
import { decompress } from '../snappy/decompress';
import { seriesLookup, seriesWireKeep, seriesWireMatch } from './series';

const ERR_TRUNCATED: i32 = -20;
const ERR_VARINT32: i32 = -21;
const ERR_LENGTH: i32 = -22;
const ERR_WIRE_TYPE: i32 = -23;
const ERR_VARINT64: i32 = -24;
const ERR_LABEL_COUNT: i32 = -25;
const ERR_EMPTY_NAME: i32 = -26;
const ERR_EMPTY_VALUE: i32 = -27;
const ERR_LABEL_LENGTH: i32 = -28;
const ERR_NO_LABELS: i32 = -29;

const SIDE_METADATA: u32 = 1;
const SIDE_EXEMPLAR: u32 = 2;
const SIDE_HISTOGRAM: u32 = 3;
const SIDE_WORDS: usize = 5;
/** Per series: where its wire labels are in the raw body [offset, length, labels, longest], length 0 for none. */
const WIRE_WORDS: usize = 4;

// Regions: each is [ptr u32, capacity u32] at a fixed address, grown by doubling.
const INPUT: i32 = 0;
const RAW: i32 = 1;
const KEYS: i32 = 2;
const OFFSETS: i32 = 3;
const REFS: i32 = 4;
const ROW_SERIES: i32 = 5;
const ROW_TS: i32 = 6;
const ROW_VALUE: i32 = 7;
const SIDE: i32 = 8;
const WIRES: i32 = 9;
const REGIONS: i32 = 10;

// The result block the host reads, in u32 words.
const RESULT_RAW: i32 = 0;
const RESULT_RAW_LEN: i32 = 1;
const RESULT_KEYS: i32 = 2;
const RESULT_OFFSETS: i32 = 3;
const RESULT_REFS: i32 = 4;
const RESULT_SERIES: i32 = 5;
const RESULT_ROW_SERIES: i32 = 6;
const RESULT_ROW_TS: i32 = 7;
const RESULT_ROW_VALUE: i32 = 8;
const RESULT_ROWS: i32 = 9;
const RESULT_SIDE: i32 = 10;
const RESULT_SIDE_COUNT: i32 = 11;
const RESULT_WORDS: i32 = 12;

let regions: usize = 0;
let result: usize = 0;

function setup(): void {
  regions = alloc(<usize>REGIONS << 3);
  memory.fill(regions, 0, <usize>REGIONS << 3);
  result = alloc(<usize>RESULT_WORDS << 2);
  memory.fill(result, 0, <usize>RESULT_WORDS << 2);
}

@inline function regionPtr(r: i32): usize {
  return <usize>load<u32>(regions + (<usize>r << 3));
}

@inline function capacity(r: i32): u32 {
  return load<u32>(regions + (<usize>r << 3), 4);
}

/** Region r with room for `need` bytes, its first `keep` bytes kept when it has to move. */
function ensure(r: i32, need: usize, keep: usize): usize {
  const at = regions + (<usize>r << 3);
  const p = <usize>load<u32>(at);
  const cap = <usize>load<u32>(at, 4);
  if (need <= cap) return p;
  let next: usize = cap < 4096 ? 4096 : cap;
  while (next < need) next <<= 1;
  const np = alloc(next);
  if (keep > 0) memory.copy(np, p, keep);
  free(p, cap);
  store<u32>(at, <u32>np);
  store<u32>(at, <u32>next, 4);
  return np;
}

/** Where the host copies a compressed body of n bytes before rw_decode_v1(). */
export function rw_input(n: u32): usize {
  if (regions == 0) setup();
  return ensure(INPUT, <usize>n, 0);
}

/** The result block (RESULT_* words), valid after rw_decode_v1(). */
export function rw_result(): usize {
  if (regions == 0) setup();
  return result;
}

// The cursor and the first error, shared by the readers below; every reader stops at `end`.
let p: usize = 0;
let bad: i32 = 0;

/** An unsigned varint of at most 32 bits (ProtoCursor.uint32); inlined for the one-byte case. */
@inline function u32v(end: usize): u32 {
  if (p < end) {
    const first = <u32>load<u8>(p);
    if (first < 0x80) {
      p++;
      return first;
    }
  }
  return u32vLong(end);
}

function u32vLong(end: usize): u32 {
  let n: u32 = 0;
  for (let shift: u32 = 0; ; shift += 7) {
    if (p >= end) {
      bad = ERR_TRUNCATED;
      return 0;
    }
    const b = <u32>load<u8>(p++);
    if (shift < 28) n |= (b & 0x7f) << shift;
    else {
      if (b > 0x0f) {
        bad = ERR_VARINT32;
        return 0;
      }
      n |= b << 28;
    }
    if (b < 0x80) break;
  }
  return n;
}

/** A signed int64 varint as milliseconds (ProtoCursor.int64: the same bits, the same rounding). */
function i64v(end: usize): f64 {
  let lo: u32 = 0;
  let b: u32 = 0;
  for (let shift: u32 = 0; shift < 28; shift += 7) {
    if (p >= end) {
      bad = ERR_TRUNCATED;
      return 0;
    }
    b = <u32>load<u8>(p++);
    lo |= (b & 0x7f) << shift;
    if (b < 0x80) return <f64>lo;
  }
  if (p >= end) {
    bad = ERR_TRUNCATED;
    return 0;
  }
  b = <u32>load<u8>(p++);
  lo |= (b & 0x0f) << 28;
  let hi: u32 = (b & 0x7f) >> 4;
  for (let shift: u32 = 3; b >= 0x80; shift += 7) {
    if (shift > 31) {
      bad = ERR_VARINT64;
      return 0;
    }
    if (p >= end) {
      bad = ERR_TRUNCATED;
      return 0;
    }
    b = <u32>load<u8>(p++);
    hi |= (b & 0x7f) << shift;
  }
  return <f64>((<i64>(<i32>hi) << 32) | <i64>lo);
}

/**
 * A timestamp: i64v(), without a loop for the varints of up to 8 bytes that every millisecond
 * time since 1970 takes. The 16 bytes of slack after the raw body make the 8-byte load safe.
 */
@inline function timestamp(end: usize): f64 {
  const w = load<u64>(p);
  const stops = ~w & 0x8080808080808080;
  if (stops == 0) return i64v(end);
  const bytes = <usize>(ctz(stops) >> 3) + 1;
  if (p + bytes > end) return i64v(end);
  p += bytes;
  // The 7-bit groups of the first `bytes` bytes, packed: pairs, then quads, then all eight.
  let v = w & (0x7f7f7f7f7f7f7f7f >> (<u64>(8 - bytes) << 3));
  v = (v & 0x007f007f007f007f) | ((v & 0x7f007f007f007f00) >> 1);
  v = (v & 0x00003fff00003fff) | ((v & 0x3fff00003fff0000) >> 2);
  v = (v & 0x000000000fffffff) | ((v & 0x0fffffff00000000) >> 4);
  return <f64>(<i64>v);
}

/** A length prefix, checked against what is left before `end`. */
@inline function lengthOf(end: usize): usize {
  const n = <usize>u32v(end);
  if (bad != 0) return 0;
  if (n > end - p) {
    bad = ERR_LENGTH;
    return 0;
  }
  return n;
}

function skip(wire: u32, end: usize): void {
  if (wire == 0) i64v(end);
  else if (wire == 1) {
    if (p + 8 > end) bad = ERR_TRUNCATED;
    else p += 8;
  } else if (wire == 2) {
    const n = lengthOf(end);
    p += n;
  } else if (wire == 5) {
    if (p + 4 > end) bad = ERR_TRUNCATED;
    else p += 4;
  } else bad = ERR_WIRE_TYPE;
}

/**
 * Copies a label's name or value, which is short: memory.copy is a call out of the compiled code
 * in V8 and cost more than the walk itself. Unlike asm/shared/copy.ts it may write up to 16 bytes
 * past dst + n and read as far past src + n (fewer branches), which the slack of the key and raw
 * regions allows.
 */
@inline function copyWithSlack(dst: usize, src: usize, n: usize): void {
  if (n <= 16) {
    store<u64>(dst, load<u64>(src));
    store<u64>(dst, load<u64>(src, 8), 8);
  } else if (n <= 128) {
    for (let i: usize = 0; i < n; i += 8) store<u64>(dst + i, load<u64>(src + i));
  } else memory.copy(dst, src, n);
}

@inline function writeVarint(at: usize, n: usize): usize {
  while (n >= 0x80) {
    store<u8>(at++, <u8>(n | 0x80));
    n >>= 7;
  }
  store<u8>(at++, <u8>n);
  return at;
}

let raw: usize = 0;
let keys: usize = 0;
let keyEnd: usize = 0;
let seriesCount: u32 = 0;
/** Series the per-series regions have room for in this body. */
let seriesRoom: usize = 0;
let rows: u32 = 0;
let rowCap: u32 = 0;
let sideCount: u32 = 0;
let maxLabels: u32 = 0;
let maxLength: usize = 0;
let tenantId: u32 = 0;
let misses: u32 = 0;
let wireBudget: usize = 0;
/** The longest name or value of the series being walked. */
let longest: usize = 0;

function side(kind: u32, series: u32, start: usize, end: usize): void {
  const words = <usize>sideCount * SIDE_WORDS;
  const s = ensure(SIDE, (words + SIDE_WORDS) << 2, words << 2) + (words << 2);
  store<u32>(s, kind);
  store<u32>(s, series, 4);
  store<u32>(s, <u32>(start - raw), 8);
  store<u32>(s, <u32>(end - raw), 12);
  store<u32>(s, rows, 16);
  sideCount++;
}

/** One Label message [p, end): its name and value appended to the key as varint-prefixed bytes. */
function label(end: usize): void {
  let name: usize = 0;
  let nameLen: usize = 0;
  let value: usize = 0;
  let valueLen: usize = 0;
  // What every sender writes: name then value, each shorter than 128 bytes.
  const nl = <usize>load<u8>(p, 1);
  if (load<u8>(p) == 0x0a && nl < 0x80 && p + 4 + nl <= end && load<u8>(p + 2 + nl) == 0x12) {
    const vl = <usize>load<u8>(p + 3 + nl);
    if (vl < 0x80 && p + 4 + nl + vl == end) {
      name = p + 2;
      nameLen = nl;
      value = p + 4 + nl;
      valueLen = vl;
      p = end;
    }
  }
  while (p < end) {
    const tag = u32v(end);
    if (bad != 0) return;
    if (tag == 0x0a) {
      nameLen = lengthOf(end);
      name = p;
      p += nameLen;
    } else if (tag == 0x12) {
      valueLen = lengthOf(end);
      value = p;
      p += valueLen;
    } else skip(tag & 7, end);
    if (bad != 0) return;
  }
  // The checks SeriesKeyBuilder.add() makes on every series; names, their order and UTF-8 are
  // checked by the host for keys the index does not hold yet.
  if (nameLen == 0) bad = ERR_EMPTY_NAME;
  else if (valueLen == 0) bad = ERR_EMPTY_VALUE;
  else if (nameLen > maxLength || valueLen > maxLength) bad = ERR_LABEL_LENGTH;
  if (bad != 0) return;
  if (nameLen > longest) longest = nameLen;
  if (valueLen > longest) longest = valueLen;
  let k = writeVarint(keyEnd, nameLen);
  copyWithSlack(k, name, nameLen);
  k = writeVarint(k + nameLen, valueLen);
  copyWithSlack(k, value, valueLen);
  keyEnd = k + valueLen;
}

/** One Sample message [p, end), appended as a row of the current series. */
function sample(end: usize): void {
  let value: u64 = 0;
  let ts: f64 = 0;
  // What every sender writes: the value, then the timestamp.
  if (p + 10 <= end && load<u8>(p) == 0x09 && load<u8>(p, 9) == 0x10) {
    value = load<u64>(p, 1);
    p += 10;
    ts = timestamp(end);
    if (bad != 0) return;
  }
  while (p < end) {
    const tag = u32v(end);
    if (bad != 0) return;
    if (tag == 0x09) {
      if (p + 8 > end) {
        bad = ERR_TRUNCATED;
        return;
      }
      // Bits, not a float: every NaN payload (the stale marker) must pass unchanged.
      value = load<u64>(p);
      p += 8;
    } else if (tag == 0x10) ts = i64v(end);
    else skip(tag & 7, end);
    if (bad != 0) return;
  }
  if (rows == rowCap) {
    rowCap = rowCap < 1024 ? 1024 : rowCap << 1;
    ensure(ROW_SERIES, <usize>rowCap << 2, <usize>rows << 2);
    ensure(ROW_TS, <usize>rowCap << 3, <usize>rows << 3);
    ensure(ROW_VALUE, <usize>rowCap << 3, <usize>rows << 3);
  }
  store<u32>(regionPtr(ROW_SERIES) + (<usize>rows << 2), seriesCount);
  store<f64>(regionPtr(ROW_TS) + (<usize>rows << 3), ts);
  store<u64>(regionPtr(ROW_VALUE) + (<usize>rows << 3), value);
  rows++;
}

/**
 * Where the leading run of Label fields of a TimeSeries starting at q ends (q when it starts with
 * something else); their number goes to runLabels. A field it cannot read ends the run.
 */
let runLabels: u32 = 0;
function labelRun(q: usize, end: usize): usize {
  let n: u32 = 0;
  while (q + 2 <= end && load<u8>(q) == 0x0a) {
    let len = <usize>load<u8>(q, 1);
    let at = q + 2;
    if (len >= 0x80) {
      if (at >= end || load<u8>(at) >= 0x80) break;
      len = (len & 0x7f) | (<usize>load<u8>(at) << 7);
      at++;
    }
    if (len > end - at) break;
    q = at + len;
    n++;
  }
  runLabels = n;
  return q;
}

/** Returned by fields() when a Label field turns up after the labels were taken as known. */
const LABEL_AFTER_RUN: u32 = 0xffffffff;

/**
 * The fields of a TimeSeries from p to end: labels go to its key (unless `labelsKnown`, when one
 * is LABEL_AFTER_RUN), samples become rows under its ordinal, so labels may come after samples
 * (protobuf allows any field order) at no cost. The field tags are exactly the ones the reference
 * acts on; anything else is skipped. Returns the labels read.
 */
function fields(end: usize, labelsKnown: bool): u32 {
  let labels: u32 = 0;
  while (p < end) {
    const tag = u32v(end);
    if (bad != 0) return labels;
    if (tag == 0x0a || tag == 0x12 || tag == 0x1a || tag == 0x22) {
      const n = lengthOf(end);
      if (bad != 0) return labels;
      const fieldEnd = p + n;
      if (tag == 0x0a) {
        if (labelsKnown) return LABEL_AFTER_RUN;
        if (++labels > maxLabels) {
          bad = ERR_LABEL_COUNT;
          return labels;
        }
        label(fieldEnd);
      } else if (tag == 0x12) sample(fieldEnd);
      else side(tag == 0x1a ? SIDE_EXEMPLAR : SIDE_HISTOGRAM, seriesCount, p, fieldEnd);
      if (bad != 0) return labels;
      p = fieldEnd;
    } else {
      skip(tag & 7, end);
      if (bad != 0) return labels;
    }
  }
  return labels;
}

/**
 * One TimeSeries [start, end). A series whose labels are a leading run of bytes the predicted
 * series last arrived with is resolved by that one comparison (series.ts seriesWireMatch); any
 * other is walked into its key and looked up, and its run noted so rw_assign() can keep it.
 */
function timeSeries(start: usize, end: usize): void {
  const ordinal = <usize>seriesCount;
  if (ordinal >= seriesRoom) {
    bad = ERR_LENGTH;
    return;
  }
  const offsets = regionPtr(OFFSETS);
  const refs = regionPtr(REFS);
  const wires = regionPtr(WIRES) + (ordinal * WIRE_WORDS << 2);
  const keyStart = <u32>(keyEnd - keys);
  store<u32>(offsets + (ordinal << 2), keyStart);
  store<u32>(wires, 0, 4);
  const run = labelRun(start, end);
  if (run > start) {
    const ref = seriesWireMatch(tenantId, start, <u32>(run - start), maxLabels, <u32>maxLength);
    if (ref >= 0) {
      const rowsBefore = rows;
      const sideBefore = sideCount;
      p = run;
      if (fields(end, true) != LABEL_AFTER_RUN || bad != 0) {
        if (bad != 0) return;
        store<u32>(offsets + ((ordinal + 1) << 2), keyStart);
        store<i32>(refs + (ordinal << 2), ref);
        seriesCount++;
        return;
      }
      // Labels after the samples: walk it again the long way.
      rows = rowsBefore;
      sideCount = sideBefore;
    }
  }
  p = start;
  longest = 0;
  const labels = fields(end, false);
  if (bad != 0) return;
  if (labels == 0) {
    bad = ERR_NO_LABELS;
    return;
  }
  if (labels == runLabels) {
    store<u32>(wires, <u32>(start - raw));
    store<u32>(wires, <u32>(run - start), 4);
    store<u32>(wires, labels, 8);
    store<u32>(wires, <u32>longest, 12);
  }
  store<u32>(offsets + ((ordinal + 1) << 2), <u32>(keyEnd - keys));
  const ref = seriesLookup(tenantId, keys + keyStart, <u32>(keyEnd - keys) - keyStart);
  store<i32>(refs + (ordinal << 2), ref);
  if (ref < 0) misses++;
  seriesCount++;
}

/**
 * Decompresses the body the host copied to rw_input() (n bytes, declaring `total` uncompressed,
 * which the host has checked against its limit), walks it and looks up every series of `tenant`.
 * Returns the number of keys the index lacks, or a negative error code: -1 to -7 from snappy,
 * ERR_* above for the WriteRequest. Labels over `labelLimit` or longer than `lengthLimit` are errors.
 * Wire labels kept by rw_assign() stay within `wireLimit` bytes in all.
 */
export function rw_decode_v1(tenant: u32, n: u32, total: u32, labelLimit: u32, lengthLimit: u32, wireLimit: u32): i32 {
  if (regions == 0) setup();
  bad = 0;
  tenantId = tenant;
  misses = 0;
  wireBudget = <usize>wireLimit;
  seriesCount = 0;
  rows = 0;
  rowCap = 0;
  sideCount = 0;
  maxLabels = labelLimit;
  maxLength = <usize>lengthLimit;
  rowCap = min(capacity(ROW_SERIES) >> 2, min(capacity(ROW_TS), capacity(ROW_VALUE)) >> 3);
  // 16 bytes more: copyWithSlack() may read that far past the last value.
  raw = ensure(RAW, <usize>total + 16, 0);
  // Written first, so the host can find the raw body of a request this refuses.
  store<u32>(result, <u32>raw, RESULT_RAW << 2);
  store<u32>(result, total, RESULT_RAW_LEN << 2);
  const got = decompress(regionPtr(INPUT), <usize>n, raw, <usize>total);
  if (got < 0) return got;
  // A key is never longer than the Label messages it came from; the 16 bytes more are what key
  // comparisons may read, and copyWithSlack() write, past a key's end.
  keys = ensure(KEYS, <usize>total + 16, 0);
  keyEnd = keys;
  // Every series the walk gets through has a label with a name and a value: 10 bytes at least.
  seriesRoom = <usize>total / 10 + 1;
  ensure(OFFSETS, (seriesRoom + 1) << 2, 0);
  ensure(REFS, seriesRoom << 2, 0);
  ensure(WIRES, seriesRoom * WIRE_WORDS << 2, 0);
  store<u32>(regionPtr(OFFSETS), 0);
  const end = raw + <usize>total;
  p = raw;
  while (p < end) {
    const tag = u32v(end);
    if (bad != 0) return bad;
    if (tag == 0x0a || tag == 0x1a) {
      const len = lengthOf(end);
      if (bad != 0) return bad;
      const start = p;
      if (tag == 0x0a) timeSeries(start, start + len);
      else side(SIDE_METADATA, 0xffffffff, start, start + len);
      if (bad != 0) return bad;
      p = start + len;
    } else {
      skip(tag & 7, end);
      if (bad != 0) return bad;
    }
  }
  const refs = regionPtr(REFS);
  store<u32>(result, <u32>keys, RESULT_KEYS << 2);
  store<u32>(result, <u32>regionPtr(OFFSETS), RESULT_OFFSETS << 2);
  store<u32>(result, <u32>refs, RESULT_REFS << 2);
  store<u32>(result, seriesCount, RESULT_SERIES << 2);
  store<u32>(result, <u32>regionPtr(ROW_SERIES), RESULT_ROW_SERIES << 2);
  store<u32>(result, <u32>regionPtr(ROW_TS), RESULT_ROW_TS << 2);
  store<u32>(result, <u32>regionPtr(ROW_VALUE), RESULT_ROW_VALUE << 2);
  store<u32>(result, rows, RESULT_ROWS << 2);
  store<u32>(result, <u32>regionPtr(SIDE), RESULT_SIDE << 2);
  store<u32>(result, sideCount, RESULT_SIDE_COUNT << 2);
  return <i32>misses;
}

/**
 * Replaces each row's series ordinal by its ref, once the host has filled in the refs of new keys,
 * and keeps the wire labels of series that were not resolved by them.
 */
export function rw_assign(): void {
  const refs = regionPtr(REFS);
  const wires = regionPtr(WIRES);
  for (let i: usize = 0; i < <usize>seriesCount; i++) {
    const w = wires + (i * WIRE_WORDS << 2);
    const len = load<u32>(w, 4);
    if (len != 0) seriesWireKeep(load<u32>(refs + (i << 2)), raw + <usize>load<u32>(w), len, load<u32>(w, 8), load<u32>(w, 12), wireBudget);
  }
  const column = regionPtr(ROW_SERIES);
  for (let i: usize = 0; i < <usize>rows; i++) {
    const at = column + (i << 2);
    store<u32>(at, load<u32>(refs + (<usize>load<u32>(at) << 2)));
  }
}
