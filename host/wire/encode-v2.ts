import type { MetricMetadata, SampleBatch, SideColumns } from '../batch/sample-batch.js';
import { metricName, type Labels } from '../series/labels.js';
import { groupSide, metadataV2, writeSideV2 } from './encode-side.js';
import { writeSample } from './encode-v1.js';
import { ProtoWriter, sampleSize, varintSize } from './encode-writer.js';

/**
 * Hand encoding of remote_write 2.0 (`io.prometheus.write.v2.Request`): Request.symbols = 4
 * (the string table, "" first), timeseries = 5; TimeSeries.labels_refs = 1 (packed uint32 pairs
 * of name, value indexes into symbols), samples = 2; Sample as in 1.0.
 */

/** The per-request string table. Reused across requests to keep its Map's storage. */
export class SymbolTable {
  #ids = new Map<string, number>();
  readonly list: string[] = [];

  constructor() {
    this.reset();
  }

  reset(): void {
    this.#ids.clear();
    this.list.length = 0;
    this.#ids.set('', 0);
    this.list.push('');
  }

  ref(s: string): number {
    let id = this.#ids.get(s);
    if (id === undefined) {
      id = this.list.length;
      this.#ids.set(s, id);
      this.list.push(s);
    }
    return id;
  }
}

/** Reusable state of a v2 encoder: the symbol table, a scratch buffer for the series, label refs. */
export class V2Encoder {
  readonly symbols = new SymbolTable();
  #series = new ProtoWriter();
  #labelRefs = new Uint32Array(64);

  /**
   * Writes one whole Request for rows [start, end) of `batch` into `w` (which it resets): v2
   * requests cannot be concatenated, since each carries its own symbol table. `side` columns
   * (histograms, exemplars, metadata), when given, go into the same request.
   */
  write(w: ProtoWriter, batch: SampleBatch, start: number, end: number, labelsOf: (ref: number) => Labels, side?: SideColumns): void {
    const { refs, ts, values } = batch;
    const valueBytes = new Uint8Array(values.buffer, values.byteOffset, values.length * 8);
    const s = this.#series;
    const symbol = (text: string) => this.symbols.ref(text);
    const metaOf = side?.metadata?.length ? metadataLookup(side.metadata) : undefined;
    this.symbols.reset();
    s.reset();
    let i = start;
    while (i < end) {
      const ref = refs[i]!;
      let j = i + 1;
      while (j < end && refs[j] === ref) j++;
      const labels = labelsOf(ref);
      const packed = this.#resolveLabels(labels);
      const meta = metaOf?.(labels, symbol);
      let size = this.#labelRefsSize(packed) + (meta ? 1 + varintSize(meta.length) + meta.length : 0);
      for (let k = i; k < j; k++) size += 2 + sampleSize(Math.trunc(ts[k]!));
      s.ensure(1 + varintSize(size) + size);
      s.buf[s.pos++] = 0x2a;
      s.varint(size);
      this.#writeLabelRefs(s, packed);
      for (let k = i; k < j; k++) writeSample(s, valueBytes, k, Math.trunc(ts[k]!));
      if (meta) {
        s.buf[s.pos++] = 0x2a;
        s.varint(meta.length);
        s.bytes(meta);
      }
      i = j;
    }
    for (const extra of groupSide(side)) {
      const labels = labelsOf(extra.ref);
      const one = new ProtoWriter(256);
      this.#writeLabelRefs(one, this.#resolveLabels(labels));
      writeSideV2(one, extra, symbol);
      const meta = metaOf?.(labels, symbol);
      if (meta) {
        one.ensure(1 + varintSize(meta.length));
        one.buf[one.pos++] = 0x2a;
        one.varint(meta.length);
        one.bytes(meta);
      }
      s.ensure(1 + varintSize(one.pos));
      s.buf[s.pos++] = 0x2a;
      s.varint(one.pos);
      s.bytes(one.view());
    }
    w.reset();
    for (const sym of this.symbols.list) w.stringField(0x22, sym);
    w.bytes(s.view());
  }

  #labelRefsSize(packed: number): number {
    let len = 0;
    for (let k = 0; k < packed; k++) len += varintSize(this.#labelRefs[k]!);
    return packed > 0 ? 1 + varintSize(len) + len : 0;
  }

  #writeLabelRefs(s: ProtoWriter, packed: number): void {
    if (packed === 0) return;
    let len = 0;
    for (let k = 0; k < packed; k++) len += varintSize(this.#labelRefs[k]!);
    s.ensure(1 + varintSize(len) + len);
    s.buf[s.pos++] = 0x0a;
    s.varint(len);
    for (let k = 0; k < packed; k++) s.varint(this.#labelRefs[k]!);
  }

  #resolveLabels(labels: Labels): number {
    const n = labels.length * 2;
    if (this.#labelRefs.length < n) this.#labelRefs = new Uint32Array(n * 2);
    for (let k = 0; k < labels.length; k++) {
      this.#labelRefs[2 * k] = this.symbols.ref(labels[k]!.name);
      this.#labelRefs[2 * k + 1] = this.symbols.ref(labels[k]!.value);
    }
    return n;
  }
}

const FAMILY_SUFFIXES = ['', '_total', '_bucket', '_sum', '_count', '_created', '_info'];

/**
 * Metadata comes by metric family; v2 carries it per series. A series gets its family's metadata
 * when its name is the family name or the family name plus a suffix Prometheus adds.
 */
function metadataLookup(metadata: MetricMetadata[]): (labels: Labels, symbol: (t: string) => number) => Uint8Array | undefined {
  const byFamily = new Map(metadata.map((m) => [m.metricFamilyName, m]));
  return (labels, symbol) => {
    const name = metricName(labels);
    for (const suffix of FAMILY_SUFFIXES) {
      if (!name.endsWith(suffix)) continue;
      const m = byFamily.get(name.slice(0, name.length - suffix.length));
      if (m) return metadataV2(m, symbol);
    }
    return undefined;
  };
}
