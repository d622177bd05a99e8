import type { HistogramSample } from '../batch/sample-batch.js';
import type { BatchCollector } from './batch-collector.js';
import { ProtoCursor, WIRE_I64, WIRE_VARINT } from './proto-cursor.js';
import { decodeHistogram } from './remote-write-schema.js';
import type { SeriesKeyBuilder } from './series-key-builder.js';

/** Series whose keys are resolved together; bounded so the scratch copy stays in cache. */
const CHUNK_SERIES = 4096;
const CHUNK_BYTES = 1 << 20;

/** Writes the key of one series (cursor over its TimeSeries message); returns a value for emitRows. */
export type BuildKey = (c: ProtoCursor, index: number) => number;
/** Emits the rows of one series under its ref; `tag` is what buildKey returned. */
export type EmitRows = (c: ProtoCursor, ref: number, index: number, tag: number) => void;

/**
 * Drives the two passes over a request's TimeSeries messages, a chunk of series at a time: the
 * keys of the whole chunk first, then one index call for all their refs, then the rows. Decoders
 * supply the two per-series steps; `positions` holds (start, length) of each message in `body`.
 */
export function walkSeries(body: Uint8Array, positions: readonly number[], out: BatchCollector, keys: SeriesKeyBuilder, buildKey: BuildKey, emitRows: EmitRows): void {
  const c = new ProtoCursor(body);
  const n = positions.length >>> 1;
  const refs = new Uint32Array(Math.min(n, CHUNK_SERIES));
  const tags = new Int32Array(refs.length);
  for (let first = 0; first < n; ) {
    keys.clear();
    let last = first;
    while (last < n && last - first < CHUNK_SERIES && keys.length < CHUNK_BYTES) {
      c.pos = positions[2 * last]!;
      c.end = c.pos + positions[2 * last + 1]!;
      keys.begin(last);
      tags[last - first] = buildKey(c, last);
      keys.finish();
      last++;
    }
    out.resolveAll(keys, refs);
    for (let i = first; i < last; i++) {
      c.pos = positions[2 * i]!;
      c.end = c.pos + positions[2 * i + 1]!;
      emitRows(c, refs[i - first]!, i, tags[i - first]!);
    }
    first = last;
  }
}

/** A Sample message, the same in both versions: value bits copied, never computed with. */
export function readSample(c: ProtoCursor, end: number, out: BatchCollector, ref: number): void {
  let value = 0;
  let ts = 0;
  const outer = c.end;
  c.end = end;
  while (c.pos < end) {
    const tag = c.uint32('Sample field tag');
    if (tag === ((1 << 3) | WIRE_I64)) value = c.double('Sample.value');
    else if (tag === ((2 << 3) | WIRE_VARINT)) ts = c.int64('Sample.timestamp');
    // start_timestamp (3) and fields of later versions are skipped.
    else c.skip(tag & 7, 'Sample');
  }
  c.end = outer;
  out.sample(ref, ts, value);
}

/** A native histogram (same message in both versions), materialised for the side column. */
export function readHistogram(c: ProtoCursor, end: number, out: BatchCollector, ref: number): void {
  const h = histogramAt(c.buf, c.pos, end, ref);
  out.histogram(h.ref, h.ts, h.histogram);
}

/** The native histogram message at buf[start, end) of series `ref`. */
export function histogramAt(buf: Uint8Array, start: number, end: number, ref: number): HistogramSample {
  const histogram = decodeHistogram(buf.subarray(start, end));
  return { ref, ts: Number(histogram.timestamp ?? 0), histogram };
}
