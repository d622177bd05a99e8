import type { BatchCollector } from './batch-collector.js';
import { ProtoCursor, WIRE_I64, WIRE_LEN, WIRE_VARINT } from './proto-cursor.js';
import { METRIC_TYPE_NAMES } from './remote-write-schema.js';
import type { SeriesKeyBuilder } from './series-key-builder.js';
import { readHistogram, readSample, walkSeries } from './series-walk.js';
import { WireError } from './wire-error.js';

const text = new TextDecoder();
const NAME_BYTES = new TextEncoder().encode('__name__');

/** The symbols table as offsets into the body: strings are made only for exemplars and metadata. */
interface Symbols {
  start: Uint32Array;
  len: Uint32Array;
  count: number;
  /** 1 for a symbol already accepted as a label name in this request. */
  nameOk: Uint8Array;
}

/**
 * Walks an `io.prometheus.write.v2.Request` (remote_write 2.0). Symbols stay byte ranges of the
 * body; a series' labels_refs point at them and their bytes go straight into the series key.
 * Native histograms, exemplars and metadata are materialised into the side columns; metadata is
 * kept once per metric family and request, not once per series.
 */
export function decodeRequestV2(body: Uint8Array, out: BatchCollector, keys: SeriesKeyBuilder): void {
  const c = new ProtoCursor(body);
  const symbols: Symbols = { start: new Uint32Array(256), len: new Uint32Array(256), count: 0, nameOk: new Uint8Array(0) };
  const series: number[] = [];
  // Symbols may follow the series that use them, so the first pass only takes positions.
  while (c.pos < c.end) {
    const tag = c.uint32('Request field tag');
    if (tag === ((4 << 3) | WIRE_LEN)) {
      const len = c.length('Request.symbols');
      addSymbol(symbols, c.pos, len);
      c.pos += len;
    } else if (tag === ((5 << 3) | WIRE_LEN)) {
      const len = c.length('Request.timeseries');
      series.push(c.pos, len);
      c.pos += len;
    } else c.skip(tag & 7, 'Request');
  }
  symbols.nameOk = new Uint8Array(symbols.count);
  if (symbols.count > 0 && symbols.len[0] !== 0) throw new WireError('symbols', 'invalid symbols table: symbols[0] must be the empty string');
  const seen = new Map<number, number[]>();
  walkSeries(
    body,
    series,
    out,
    keys,
    (ts, index) => buildKey(ts, keys, symbols, index),
    (ts, ref, _index, nameRef) => emitRows(ts, out, ref, symbols, nameRef, seen),
  );
}

function addSymbol(s: Symbols, start: number, len: number): void {
  if (s.count === s.start.length) {
    const start2 = new Uint32Array(s.count * 2);
    start2.set(s.start);
    const len2 = new Uint32Array(s.count * 2);
    len2.set(s.len);
    s.start = start2;
    s.len = len2;
  }
  s.start[s.count] = start;
  s.len[s.count++] = len;
}

/** First pass over a TimeSeries: its labels_refs into the key; returns the `__name__` value ref. */
function buildKey(c: ProtoCursor, keys: SeriesKeyBuilder, sym: Symbols, index: number): number {
  let pending = -1;
  nameRef = -1;
  while (c.pos < c.end) {
    const tag = c.uint32('TimeSeries field tag');
    if (tag === ((1 << 3) | WIRE_LEN)) {
      const len = c.length('TimeSeries.labels_refs');
      const end = c.pos + len;
      while (c.pos < end) pending = addRef(c, keys, sym, pending, index);
    } else if (tag === ((1 << 3) | WIRE_VARINT)) {
      pending = addRef(c, keys, sym, pending, index);
    } else c.skip(tag & 7, 'TimeSeries');
  }
  if (pending !== -1) throw new WireError('symbols', `invalid labels: series ${index} has an odd number of labels_refs`);
  return nameRef;
}

/** Second pass: samples, native histograms, exemplars and metadata under the resolved ref. */
function emitRows(c: ProtoCursor, out: BatchCollector, ref: number, sym: Symbols, nameRef: number, seen: Map<number, number[]>): void {
  while (c.pos < c.end) {
    const tag = c.uint32('TimeSeries field tag');
    const field = tag >>> 3;
    if ((tag & 7) !== WIRE_LEN || field < 2 || field > 5) {
      c.skip(tag & 7, 'TimeSeries');
      continue;
    }
    const len = c.length('TimeSeries field');
    const end = c.pos + len;
    if (field === 2) readSample(c, end, out, ref);
    else if (field === 3) readHistogram(c, end, out, ref);
    else if (field === 4) readExemplar(new ProtoCursor(c.buf, c.pos, end), out, ref, sym);
    else readMetadata(c, end, out, sym, nameRef, seen);
    c.pos = end;
  }
}

/** The value ref of `__name__` in the series being decoded (module state: no closure per label). */
let nameRef = -1;

/** Takes one ref; returns the pending name ref, or -1 once a name/value pair went into the key. */
function addRef(c: ProtoCursor, keys: SeriesKeyBuilder, sym: Symbols, pending: number, index: number): number {
  const r = c.uint32('TimeSeries.labels_refs');
  if (r >= sym.count) throw new WireError('symbols', `invalid labels: series ${index} refers to symbol ${r}, the table has ${sym.count}`);
  if (pending === -1) return r;
  keys.add(c.buf, sym.start[pending]!, sym.len[pending]!, sym.start[r]!, sym.len[r]!, sym.nameOk[pending] === 1);
  sym.nameOk[pending] = 1;
  if (isName(c.buf, sym.start[pending]!, sym.len[pending]!)) nameRef = r;
  return -1;
}

function isName(buf: Uint8Array, at: number, len: number): boolean {
  if (len !== 8) return false;
  for (let i = 0; i < 8; i++) if (buf[at + i] !== NAME_BYTES[i]) return false;
  return true;
}

function symbol(c: ProtoCursor, sym: Symbols, r: number, what: string): string {
  if (r >= sym.count) throw new WireError('symbols', `${what} refers to symbol ${r}, the table has ${sym.count}`);
  return text.decode(c.buf.subarray(sym.start[r]!, sym.start[r]! + sym.len[r]!));
}

function readExemplar(c: ProtoCursor, out: BatchCollector, ref: number, sym: Symbols): void {
  const refs: number[] = [];
  let value = 0;
  let ts = 0;
  while (c.pos < c.end) {
    const tag = c.uint32('Exemplar field tag');
    if (tag === ((1 << 3) | WIRE_LEN)) {
      const len = c.length('Exemplar.labels_refs');
      const end = c.pos + len;
      while (c.pos < end) refs.push(c.uint32('Exemplar.labels_refs'));
    } else if (tag === ((1 << 3) | WIRE_VARINT)) refs.push(c.uint32('Exemplar.labels_refs'));
    else if (tag === ((2 << 3) | WIRE_I64)) value = c.double('Exemplar.value');
    else if (tag === ((3 << 3) | WIRE_VARINT)) ts = c.int64('Exemplar.timestamp');
    else c.skip(tag & 7, 'Exemplar');
  }
  if (refs.length % 2 !== 0) throw new WireError('symbols', 'invalid exemplar: odd number of labels_refs');
  const labels: [string, string][] = [];
  for (let i = 0; i < refs.length; i += 2) labels.push([symbol(c, sym, refs[i]!, 'exemplar label'), symbol(c, sym, refs[i + 1]!, 'exemplar label')]);
  out.exemplar({ ref, labels, value, ts });
}

function readMetadata(c: ProtoCursor, end: number, out: BatchCollector, sym: Symbols, nameRef: number, seen: Map<number, number[]>): void {
  let type = 0;
  let help = 0;
  let unit = 0;
  const outer = c.end;
  c.end = end;
  while (c.pos < end) {
    const tag = c.uint32('Metadata field tag');
    if (tag === ((1 << 3) | WIRE_VARINT)) type = c.uint32('Metadata.type');
    else if (tag === ((3 << 3) | WIRE_VARINT)) help = c.uint32('Metadata.help_ref');
    else if (tag === ((4 << 3) | WIRE_VARINT)) unit = c.uint32('Metadata.unit_ref');
    else c.skip(tag & 7, 'Metadata');
  }
  c.end = outer;
  if ((type === 0 && help === 0 && unit === 0) || nameRef < 0) return;
  // Every series of a family repeats the same metadata; keep one copy per request.
  const last = seen.get(nameRef);
  if (last && last[0] === type && last[1] === help && last[2] === unit) return;
  seen.set(nameRef, [type, help, unit]);
  out.metadata({
    metricFamilyName: symbol(c, sym, nameRef, 'metadata'),
    type: METRIC_TYPE_NAMES[type] ?? 'unknown',
    help: symbol(c, sym, help, 'Metadata.help_ref'),
    unit: symbol(c, sym, unit, 'Metadata.unit_ref'),
  });
}
