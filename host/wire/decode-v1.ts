import type { Exemplar, MetricMetadata } from '../batch/sample-batch.js';
import type { BatchCollector } from './batch-collector.js';
import { ProtoCursor, WIRE_I64, WIRE_LEN, WIRE_VARINT } from './proto-cursor.js';
import { METRIC_TYPE_NAMES } from './remote-write-schema.js';
import type { SeriesKeyBuilder } from './series-key-builder.js';
import { readHistogram, readSample, walkSeries } from './series-walk.js';

const text = new TextDecoder();

/**
 * Walks a `prometheus.WriteRequest` (remote_write 1.0) without building an object per series,
 * label or sample: label bytes go straight into the series key, samples into the batch columns.
 * Exemplars, native histograms and metadata (rare, and needed as data downstream) are materialised.
 * Fields may come in any order, as protobuf allows; unknown fields are skipped.
 */
export function decodeWriteRequestV1(body: Uint8Array, out: BatchCollector, keys: SeriesKeyBuilder): void {
  const c = new ProtoCursor(body);
  const positions: number[] = [];
  while (c.pos < c.end) {
    const tag = c.uint32('WriteRequest field tag');
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 1 && wire === WIRE_LEN) {
      const len = c.length('WriteRequest.timeseries');
      positions.push(c.pos, len);
      c.pos += len;
    } else if (field === 3 && wire === WIRE_LEN) {
      const len = c.length('WriteRequest.metadata');
      out.metadata(metadataAt(body, c.pos, c.pos + len));
      c.pos += len;
    } else c.skip(wire, 'WriteRequest');
  }
  walkSeries(body, positions, out, keys, (ts) => buildKey(ts, keys), (ts, ref) => emitRows(ts, out, ref));
}

/** First pass over a TimeSeries: its labels, which may follow the samples in a legal encoding. */
function buildKey(c: ProtoCursor, keys: SeriesKeyBuilder): number {
  while (c.pos < c.end) {
    const tag = c.uint32('TimeSeries field tag');
    if (tag === ((1 << 3) | WIRE_LEN)) {
      const len = c.length('TimeSeries.labels');
      readLabel(c, c.pos + len, keys);
    } else c.skip(tag & 7, 'TimeSeries');
  }
  return 0;
}

/** Second pass: samples, exemplars and native histograms under the resolved ref. */
function emitRows(c: ProtoCursor, out: BatchCollector, ref: number): void {
  while (c.pos < c.end) {
    const tag = c.uint32('TimeSeries field tag');
    const field = tag >>> 3;
    const wire = tag & 7;
    if (wire !== WIRE_LEN || field < 2 || field > 4) {
      c.skip(wire, 'TimeSeries');
      continue;
    }
    const len = c.length('TimeSeries field');
    const end = c.pos + len;
    if (field === 2) readSample(c, end, out, ref);
    else if (field === 3) out.exemplar(exemplarAt(c.buf, c.pos, end, ref));
    else readHistogram(c, end, out, ref);
    c.pos = end;
  }
}

function readLabel(c: ProtoCursor, end: number, keys: SeriesKeyBuilder): void {
  let ns = 0;
  let nl = 0;
  let vs = 0;
  let vl = 0;
  const outer = c.end;
  c.end = end;
  while (c.pos < end) {
    const tag = c.uint32('Label field tag');
    if (tag === ((1 << 3) | WIRE_LEN)) {
      nl = c.length('Label.name');
      ns = c.pos;
      c.pos += nl;
    } else if (tag === ((2 << 3) | WIRE_LEN)) {
      vl = c.length('Label.value');
      vs = c.pos;
      c.pos += vl;
    } else c.skip(tag & 7, 'Label');
  }
  c.end = outer;
  keys.add(c.buf, ns, nl, vs, vl);
}

/** The Exemplar message at buf[start, end) of series `ref`. */
export function exemplarAt(buf: Uint8Array, start: number, end: number, ref: number): Exemplar {
  const labels: [string, string][] = [];
  let value = 0;
  let ts = 0;
  const sub = new ProtoCursor(buf, start, end);
  while (sub.pos < end) {
    const tag = sub.uint32('Exemplar field tag');
    if (tag === ((1 << 3) | WIRE_LEN)) {
      const len = sub.length('Exemplar.labels');
      labels.push(readLabelStrings(new ProtoCursor(buf, sub.pos, sub.pos + len)));
      sub.pos += len;
    } else if (tag === ((2 << 3) | WIRE_I64)) value = sub.double('Exemplar.value');
    else if (tag === ((3 << 3) | WIRE_VARINT)) ts = sub.int64('Exemplar.timestamp');
    else sub.skip(tag & 7, 'Exemplar');
  }
  return { ref, labels, value, ts };
}

function readLabelStrings(c: ProtoCursor): [string, string] {
  let name = '';
  let value = '';
  while (c.pos < c.end) {
    const tag = c.uint32('Label field tag');
    if (tag === ((1 << 3) | WIRE_LEN) || tag === ((2 << 3) | WIRE_LEN)) {
      const len = c.length('Label');
      const s = text.decode(c.buf.subarray(c.pos, c.pos + len));
      if (tag >>> 3 === 1) name = s;
      else value = s;
      c.pos += len;
    } else c.skip(tag & 7, 'Label');
  }
  return [name, value];
}

/** The MetricMetadata message at buf[start, end). */
export function metadataAt(buf: Uint8Array, start: number, end: number): MetricMetadata {
  const c = new ProtoCursor(buf, start, end);
  let type = 0;
  const strings = ['', '', '', '', '', ''];
  while (c.pos < c.end) {
    const tag = c.uint32('MetricMetadata field tag');
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === WIRE_VARINT) type = c.uint32('MetricMetadata.type');
    else if ((field === 2 || field === 4 || field === 5) && (tag & 7) === WIRE_LEN) {
      const len = c.length('MetricMetadata field');
      strings[field] = text.decode(c.buf.subarray(c.pos, c.pos + len));
      c.pos += len;
    } else c.skip(tag & 7, 'MetricMetadata');
  }
  return { metricFamilyName: strings[2]!, type: METRIC_TYPE_NAMES[type] ?? 'unknown', help: strings[4]!, unit: strings[5]! };
}
