import type { SampleBatch } from '../batch/sample-batch.js';
import type { Labels } from '../series/labels.js';
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
   * requests cannot be concatenated, since each carries its own symbol table.
   */
  write(w: ProtoWriter, batch: SampleBatch, start: number, end: number, labelsOf: (ref: number) => Labels): void {
    const { refs, ts, values } = batch;
    const valueBytes = new Uint8Array(values.buffer, values.byteOffset, values.length * 8);
    const s = this.#series;
    this.symbols.reset();
    s.reset();
    let i = start;
    while (i < end) {
      const ref = refs[i]!;
      let j = i + 1;
      while (j < end && refs[j] === ref) j++;
      const packed = this.#resolveLabels(labelsOf(ref));
      let packedLen = 0;
      for (let k = 0; k < packed; k++) packedLen += varintSize(this.#labelRefs[k]!);
      let size = packed > 0 ? 1 + varintSize(packedLen) + packedLen : 0;
      for (let k = i; k < j; k++) size += 2 + sampleSize(Math.trunc(ts[k]!));
      s.ensure(1 + varintSize(size) + size);
      s.buf[s.pos++] = 0x2a;
      s.varint(size);
      if (packed > 0) {
        s.buf[s.pos++] = 0x0a;
        s.varint(packedLen);
        for (let k = 0; k < packed; k++) s.varint(this.#labelRefs[k]!);
      }
      for (let k = i; k < j; k++) writeSample(s, valueBytes, k, Math.trunc(ts[k]!));
      i = j;
    }
    w.reset();
    for (const sym of this.symbols.list) w.stringField(0x22, sym);
    w.bytes(s.view());
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
