import type { Exemplar, HistogramSample, MetricMetadata, SideColumns } from '../batch/sample-batch.js';
import { HistogramMessage, METRIC_TYPE_NAMES } from './remote-write-schema.js';
import { ProtoWriter, int64Size, varintSize } from './encode-writer.js';

/**
 * Exemplars, native histograms and metadata for the hand encoders. They are rare (a few per
 * request at most), so clarity wins over speed here: the histogram sub-message goes back through
 * protobufjs exactly as the decoder materialised it, unchanged.
 *
 * v1: TimeSeries.exemplars = 3 (Exemplar: labels = 1, value = 2, timestamp = 3), histograms = 4;
 *     WriteRequest.metadata = 3 (type = 1, metric_family_name = 2, help = 4, unit = 5).
 * v2: TimeSeries.histograms = 3, exemplars = 4 (Exemplar: labels_refs = 1, value = 2,
 *     timestamp = 3), metadata = 5 (type = 1, help_ref = 3, unit_ref = 4).
 */

/** Side rows of one series, gathered so each series gets one TimeSeries. */
export interface SeriesSide {
  ref: number;
  histograms: HistogramSample[];
  exemplars: Exemplar[];
}

/** Groups histograms and exemplars by series ref, in first-seen order. */
export function groupSide(side: SideColumns | undefined): SeriesSide[] {
  const byRef = new Map<number, SeriesSide>();
  const get = (ref: number) => {
    let s = byRef.get(ref);
    if (!s) byRef.set(ref, (s = { ref, histograms: [], exemplars: [] }));
    return s;
  };
  for (const h of side?.histograms ?? []) get(h.ref).histograms.push(h);
  for (const e of side?.exemplars ?? []) get(e.ref).exemplars.push(e);
  return [...byRef.values()];
}

export function histogramBytes(h: HistogramSample): Uint8Array {
  return HistogramMessage.encode(HistogramMessage.fromObject({ ...h.histogram, timestamp: h.ts })).finish();
}

/** A length-delimited field holding `body`. */
function writeMessage(w: ProtoWriter, tag: number, body: Uint8Array): void {
  w.ensure(1 + varintSize(body.length) + body.length);
  w.buf[w.pos++] = tag;
  w.varint(body.length);
  w.bytes(body);
}

/** Exemplar value (2, double) and timestamp (3, int64) after its labels. */
function writeExemplarTail(w: ProtoWriter, e: Exemplar): void {
  w.ensure(20);
  w.buf[w.pos++] = 0x11;
  new DataView(w.buf.buffer, w.buf.byteOffset).setFloat64(w.pos, e.value, true);
  w.pos += 8;
  w.buf[w.pos++] = 0x18;
  w.int64(Math.trunc(e.ts));
}

/** v1: one TimeSeries per series with side rows, and the metadata, appended to a WriteRequest body. */
export function writeSideV1(w: ProtoWriter, side: SideColumns | undefined, labelBytes: (ref: number) => Uint8Array, labelPairs: (pairs: [string, string][]) => Uint8Array): void {
  const scratch = new ProtoWriter(256);
  for (const s of groupSide(side)) {
    scratch.reset();
    scratch.bytes(labelBytes(s.ref));
    for (const e of s.exemplars) {
      const ex = new ProtoWriter(64);
      ex.bytes(labelPairs(e.labels));
      writeExemplarTail(ex, e);
      writeMessage(scratch, 0x1a, ex.view());
    }
    for (const h of s.histograms) writeMessage(scratch, 0x22, histogramBytes(h));
    writeMessage(w, 0x0a, scratch.view());
  }
  for (const m of side?.metadata ?? []) writeMessage(w, 0x1a, metadataV1(m));
}

function metadataV1(m: MetricMetadata): Uint8Array {
  const w = new ProtoWriter(64);
  const type = Math.max(0, (METRIC_TYPE_NAMES as readonly string[]).indexOf(m.type));
  w.ensure(1 + int64Size(type));
  w.buf[w.pos++] = 0x08;
  w.varint(type);
  w.stringField(0x12, m.metricFamilyName);
  if (m.help) w.stringField(0x22, m.help);
  if (m.unit) w.stringField(0x2a, m.unit);
  return w.view().slice();
}

/** v2: the TimeSeries field bytes (histograms, exemplars) of one series, labels written by the caller. */
export function writeSideV2(w: ProtoWriter, s: SeriesSide, symbol: (text: string) => number): void {
  for (const h of s.histograms) writeMessage(w, 0x1a, histogramBytes(h));
  for (const e of s.exemplars) {
    const ex = new ProtoWriter(64);
    const refs: number[] = [];
    for (const [n, v] of e.labels) refs.push(symbol(n), symbol(v));
    if (refs.length > 0) {
      let len = 0;
      for (const r of refs) len += varintSize(r);
      ex.ensure(1 + varintSize(len) + len);
      ex.buf[ex.pos++] = 0x0a;
      ex.varint(len);
      for (const r of refs) ex.varint(r);
    }
    writeExemplarTail(ex, e);
    writeMessage(w, 0x22, ex.view());
  }
}

/** v2 metadata of a series (TimeSeries field 5), when the batch carries metadata for its family. */
export function metadataV2(m: MetricMetadata, symbol: (text: string) => number): Uint8Array {
  const w = new ProtoWriter(32);
  const type = Math.max(0, (METRIC_TYPE_NAMES as readonly string[]).indexOf(m.type));
  w.ensure(20);
  w.buf[w.pos++] = 0x08;
  w.varint(type);
  if (m.help) {
    w.buf[w.pos++] = 0x18;
    w.varint(symbol(m.help));
  }
  if (m.unit) {
    w.buf[w.pos++] = 0x20;
    w.varint(symbol(m.unit));
  }
  return w.view().slice();
}
