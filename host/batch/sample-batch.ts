import type { Tenant } from './tenant.js';

/**
 * Samples as columns. Labels are not here: `refs` point into the series index, which owns them.
 * No per-sample object exists on the hot path, and the three buffers can be transferred between
 * threads without a copy.
 */
export interface SampleBatch {
  readonly tenant: Tenant;
  /** Number of valid rows; the arrays may be longer. */
  readonly length: number;
  readonly refs: Uint32Array;
  /** Milliseconds since the epoch. */
  readonly ts: Float64Array;
  /** Float values; Prometheus stale markers are NaN with payload 0x7ff0000000000002, kept bit-exact. */
  readonly values: Float64Array;
  /** Rows that are not plain float samples ride beside the columns. */
  readonly side?: SideColumns;
  /**
   * The request this batch was decoded from, as received, when it holds exactly this batch's
   * content: every series, sample, histogram, exemplar and metadata entry of the batch and
   * nothing else (order aside; fields and series without samples that Sluice does not keep may
   * ride along). A sink speaking the same protocol may then send these bytes instead of encoding
   * the rows. Code that makes a batch with other content must not carry it over; a processor that
   * passes the very same batch object on keeps it, which is correct because batches are never
   * written after they are made. Set only through withWireForm(), which makes it non-enumerable:
   * a spread (`{ ...batch, values }`) or a structured clone never copies it.
   */
  readonly wire?: WireForm;
}

/** A remote_write request body as it arrived: snappy-compressed protobuf. */
export interface WireForm {
  readonly protocol: 1;
  readonly body: Uint8Array;
}

/** A batch like `b` that carries `wire` (see SampleBatch.wire for when it may). */
export function withWireForm(b: SampleBatch, wire: WireForm): SampleBatch {
  return Object.defineProperty({ ...b }, 'wire', { value: wire, enumerable: false });
}

export interface SideColumns {
  exemplars?: Exemplar[];
  histograms?: HistogramSample[];
  metadata?: MetricMetadata[];
}

export interface Exemplar {
  ref: number;
  labels: [string, string][];
  value: number;
  ts: number;
}

/** A native histogram sample, in the remote_write 2.0 shape (spans and deltas as sent). */
export interface HistogramSample {
  ref: number;
  ts: number;
  /** The protobuf message as decoded; sinks re-encode it unchanged. */
  histogram: Record<string, unknown>;
}

export interface MetricMetadata {
  metricFamilyName: string;
  type: string;
  help: string;
  unit: string;
}

/** Whether a batch has histograms, exemplars or metadata beside its float rows. */
export function hasSideRows(b: SampleBatch): boolean {
  const s = b.side;
  return s !== undefined && ((s.histograms?.length ?? 0) > 0 || (s.exemplars?.length ?? 0) > 0 || (s.metadata?.length ?? 0) > 0);
}

/** Bytes a batch occupies on an edge; what edge limits by bytes count. */
export function batchBytes(b: SampleBatch): number {
  return b.length * 20 + (b.side ? 256 : 0) + (b.wire?.body.length ?? 0);
}

export function emptyBatch(tenant: Tenant): SampleBatch {
  return { tenant, length: 0, refs: new Uint32Array(0), ts: new Float64Array(0), values: new Float64Array(0) };
}

/** Rows [start, end) of a batch, sharing its buffers (not its wire form: the rows differ). */
export function sliceBatch(b: SampleBatch, start: number, end: number): SampleBatch {
  return {
    tenant: b.tenant,
    length: end - start,
    refs: b.refs.subarray(start, end),
    ts: b.ts.subarray(start, end),
    values: b.values.subarray(start, end),
  };
}

/** The buffers to list in postMessage's transfer list. */
export function transferables(b: SampleBatch): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const a of [b.refs, b.ts, b.values]) if (a.buffer instanceof ArrayBuffer) out.add(a.buffer);
  return [...out];
}

/**
 * Appends rows and hands out batches. Grows by doubling; `take()` gives the filled prefix and
 * starts a fresh set of buffers, so a taken batch is never written again.
 */
export class BatchBuilder {
  #tenant: Tenant;
  // Allocated on the first push (pushColumns() brings arrays of its own).
  #refs = new Uint32Array(0);
  #ts = new Float64Array(0);
  #values = new Float64Array(0);
  #length = 0;
  #side: SideColumns | undefined;
  /** What the arrays start at when push() first needs them. */
  readonly #capacity: number;

  constructor(tenant: Tenant, capacity = 1024) {
    this.#tenant = tenant;
    this.#capacity = Math.max(16, capacity);
  }

  get length(): number {
    return this.#length;
  }

  push(ref: number, ts: number, value: number): void {
    if (this.#length === this.#refs.length) this.#grow();
    const i = this.#length++;
    this.#refs[i] = ref;
    this.#ts[i] = ts;
    this.#values[i] = value;
  }

  /**
   * Rows [from, to) of three columns, copied (values bit for bit: same-type copies keep NaN
   * payloads). Into an empty builder they are copied to arrays of exactly their size, which
   * take() then hands out as they are: one copy from a decoder's columns to a batch.
   */
  pushColumns(refs: Uint32Array, ts: Float64Array, values: Float64Array, from: number, to: number): void {
    if (this.#length === 0) {
      this.#refs = refs.slice(from, to);
      this.#ts = ts.slice(from, to);
      this.#values = values.slice(from, to);
      this.#length = to - from;
      return;
    }
    const n = to - from;
    while (this.#length + n > this.#refs.length) this.#grow();
    this.#refs.set(refs.subarray(from, to), this.#length);
    this.#ts.set(ts.subarray(from, to), this.#length);
    this.#values.set(values.subarray(from, to), this.#length);
    this.#length += n;
  }

  side(): SideColumns {
    return (this.#side ??= {});
  }

  take(): SampleBatch {
    const n = this.#length;
    // Full arrays are handed out whole (the builder starts new ones); others are copied to size.
    const whole = n === this.#refs.length;
    const batch: SampleBatch = {
      tenant: this.#tenant,
      length: n,
      refs: whole ? this.#refs : this.#refs.slice(0, n),
      ts: whole ? this.#ts : this.#ts.slice(0, n),
      values: whole ? this.#values : this.#values.slice(0, n),
      ...(this.#side ? { side: this.#side } : {}),
    };
    if (whole) {
      this.#refs = new Uint32Array(0);
      this.#ts = new Float64Array(0);
      this.#values = new Float64Array(0);
    }
    this.#length = 0;
    this.#side = undefined;
    return batch;
  }

  #grow(): void {
    const cap = Math.max(this.#capacity, this.#refs.length * 2);
    const refs = new Uint32Array(cap);
    refs.set(this.#refs);
    const ts = new Float64Array(cap);
    ts.set(this.#ts);
    const values = new Float64Array(cap);
    values.set(this.#values);
    this.#refs = refs;
    this.#ts = ts;
    this.#values = values;
  }
}
