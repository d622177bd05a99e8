import { writeVarint } from '../series/series-key.js';
import { WireError, type WireErrorReason } from './wire-error.js';

/** Limits that keep one request from blowing up the series index. */
export interface LabelLimits {
  /** More labels than this in one series is refused (400). */
  maxLabelsPerSeries: number;
  /** A label name or value longer than this (in bytes) is refused (400). */
  maxLabelValueLength: number;
  /** Accept any UTF-8 label name (Prometheus 3); otherwise `[a-zA-Z_][a-zA-Z0-9_]*`. */
  utf8Names: boolean;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const NAME_OK = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  const ch = String.fromCharCode(c);
  NAME_OK[c] = /[a-zA-Z_]/.test(ch) ? 2 : /[0-9]/.test(ch) ? 1 : 0;
}

/**
 * Writes a series' canonical key (series-key.ts) label by label, straight from the bytes a decoder
 * is reading, and enforces the remote_write rules while doing so: names sorted and unique, names
 * and values non-empty and valid UTF-8, and the limits. One builder serves a whole request; the
 * scratch buffer grows as needed and is reused.
 */
export class SeriesKeyBuilder {
  key = new Uint8Array(4096);
  /** End of the key bytes written since clear(): keys lie back to back in key[0, length). */
  length = 0;
  /** Key i (since clear()) is key[offsets[i], offsets[i + 1]); what resolveScratchBatch() takes. */
  offsets = new Uint32Array(1025);
  /** Keys completed by finish() since clear(). */
  seriesCount = 0;
  /** Series number (for messages) of each key since clear(). */
  private seriesOf = new Uint32Array(1025);
  /** Index of the series in its request (or line of a text body), named in error messages. */
  series = 0;
  // Plain numeric fields rather than #private ones and a limits object: this runs once per label.
  private count = 0;
  private prevName = 0;
  private prevNameLen = 0;
  private readonly maxLabels: number;
  private readonly maxLength: number;
  private readonly utf8Names: boolean;
  private readonly unit: string;
  private readonly deferred: boolean;

  /**
   * `unit` names what `series` counts in error messages: series of a request, or lines of a text
   * body. With `deferChecks`, add() only copies and checks sizes; names, order and UTF-8 are
   * checked by checkKey(), which the collector calls for keys the index has never seen: a key
   * the index holds was checked when it was inserted, and identical bytes are equally valid
   * (unless a source with looser rules, `utf8_label_names`, inserted it into the shared index).
   */
  constructor(limits: LabelLimits, unit: 'series' | 'line' = 'series', opts: { deferChecks?: boolean } = {}) {
    this.maxLabels = limits.maxLabelsPerSeries;
    this.maxLength = limits.maxLabelValueLength;
    this.utf8Names = limits.utf8Names;
    this.unit = unit;
    this.deferred = opts.deferChecks ?? false;
  }

  /** Whether checkKey() must run for new keys (the checks were deferred in add()). */
  get deferChecks(): boolean {
    return this.deferred;
  }

  /** Forgets every key written so far. */
  clear(): void {
    this.length = 0;
    this.seriesCount = 0;
  }

  /** Starts the key of series number `series`, after the keys already written. */
  begin(series: number): void {
    this.count = 0;
    this.series = series;
    if (this.seriesCount + 2 > this.offsets.length) {
      const next = new Uint32Array(this.offsets.length * 2);
      next.set(this.offsets);
      this.offsets = next;
      const of = new Uint32Array(this.offsets.length);
      of.set(this.seriesOf);
      this.seriesOf = of;
    }
    this.offsets[this.seriesCount] = this.length;
    this.seriesOf[this.seriesCount] = series;
  }

  /** clear() then begin(): a single key in key[0, length). */
  reset(series: number): void {
    this.clear();
    this.begin(series);
  }

  /** Completes the key begun last; refuses a series without labels. */
  finish(): void {
    if (this.count === 0) this.fail('labels', 'invalid labels: no labels');
    this.offsets[++this.seriesCount] = this.length;
  }

  /**
   * Appends one label whose name and value are `src[ns, ns+nl)` and `src[vs, vs+vl)`.
   * `nameChecked` skips the name's character check, for a name this builder already accepted
   * (remote_write 2.0 names are symbols, the same few for every series).
   */
  add(src: Uint8Array, ns: number, nl: number, vs: number, vl: number, nameChecked = false): void {
    if (++this.count > this.maxLabels) this.fail('label_limits', `more than ${this.maxLabels} labels (max_labels_per_series)`);
    if (nl === 0) this.fail('labels', 'invalid labels: empty label name');
    if (vl === 0) this.fail('labels', `invalid labels: empty value for label ${text(src, ns, nl)}`);
    if (nl > this.maxLength || vl > this.maxLength) {
      const what = nl > this.maxLength ? 'name' : 'value';
      this.fail('label_limits', `label ${text(src, ns, Math.min(nl, 64))} has a ${what} longer than ${this.maxLength} bytes (max_label_value_length)`);
    }
    if (this.length + 10 + nl + vl > this.key.length) this.grow(10 + nl + vl);
    const key = this.key;
    let p = writeVarint(key, this.length, nl);
    const nameAt = p;
    let high = copy(src, ns, nl, key, p);
    p = writeVarint(key, p + nl, vl);
    high |= copy(src, vs, vl, key, p);
    p += vl;
    this.length = p;
    if (!this.deferred) this.checkLabel(key, nameAt, nl, p - vl, vl, high, nameChecked);
  }

  /** The checks add() deferred, for key i since clear(); throws the same errors add() would. */
  checkKey(i: number): void {
    this.checkKeyAt(this.key, this.offsets[i]!, this.offsets[i + 1]!, this.seriesOf[i]!);
  }

  /**
   * The same checks for a key written elsewhere, key[start, end) (a decoder that builds keys in
   * the index kernel's memory), whose series is number `series` of its request.
   */
  checkKeyAt(key: Uint8Array, start: number, end: number, series: number): void {
    this.series = series;
    this.count = 0;
    let p = start;
    while (p < end) {
      let nl = 0;
      for (let shift = 0; ; shift += 7) {
        const b = key[p++]!;
        nl |= (b & 0x7f) << shift;
        if (b < 0x80) break;
      }
      const nameAt = p;
      p += nl;
      let vl = 0;
      for (let shift = 0; ; shift += 7) {
        const b = key[p++]!;
        vl |= (b & 0x7f) << shift;
        if (b < 0x80) break;
      }
      let high = 0;
      for (let j = nameAt; j < nameAt + nl; j++) high |= key[j]!;
      for (let j = p; j < p + vl; j++) high |= key[j]!;
      this.count++;
      this.checkLabel(key, nameAt, nl, p, vl, high, false);
      p += vl;
    }
  }

  /** Name characters, UTF-8 and order of the label whose name and value sit at key[na, na+nl) and key[va, va+vl). */
  private checkLabel(key: Uint8Array, nameAt: number, nl: number, va: number, vl: number, high: number, nameChecked: boolean): void {
    if (high >= 0x80) this.checkUtf8(key, nameAt, nl, va, vl);
    if (!nameChecked && !this.utf8Names && !validName(key, nameAt, nl)) {
      this.fail('labels', `invalid labels: label name ${text(key, nameAt, nl)} does not match [a-zA-Z_][a-zA-Z0-9_]*`);
    }
    if (this.count > 1) {
      const order = compare(key, this.prevName, this.prevNameLen, nameAt, nl);
      if (order === 0) this.fail('labels', `invalid labels: duplicate label name ${text(key, nameAt, nl)}`);
      if (order > 0) this.fail('labels', `invalid labels: not sorted, ${text(key, nameAt, nl)} after ${text(key, this.prevName, this.prevNameLen)}`);
    }
    this.prevName = nameAt;
    this.prevNameLen = nl;
  }

  private fail(reason: WireErrorReason, message: string): never {
    throw new WireError(reason, `${message} (${this.unit} ${this.series})`);
  }

  private grow(extra: number): void {
    const next = new Uint8Array(Math.max(this.key.length * 2, this.length + extra));
    next.set(this.key.subarray(0, this.length));
    this.key = next;
  }

  private checkUtf8(src: Uint8Array, ns: number, nl: number, vs: number, vl: number): void {
    try {
      utf8.decode(src.subarray(ns, ns + nl));
      utf8.decode(src.subarray(vs, vs + vl));
    } catch {
      this.fail('labels', `invalid labels: label ${JSON.stringify(new TextDecoder().decode(src.subarray(ns, ns + Math.min(nl, 64))))} is not valid UTF-8`);
    }
  }
}

/** Copies bytes and ORs them together (to spot non-ASCII); a plain loop beats subarray+set at label sizes. */
function copy(src: Uint8Array, from: number, len: number, dst: Uint8Array, to: number): number {
  let high = 0;
  for (let i = 0; i < len; i++) {
    const b = src[from + i]!;
    high |= b;
    dst[to + i] = b;
  }
  return high;
}

/** Byte order, which is how Prometheus (Go strings) sorts label names. */
function compare(buf: Uint8Array, a: number, al: number, b: number, bl: number): number {
  const n = Math.min(al, bl);
  for (let i = 0; i < n; i++) {
    const d = buf[a + i]! - buf[b + i]!;
    if (d !== 0) return d;
  }
  return al - bl;
}

function validName(buf: Uint8Array, at: number, len: number): boolean {
  // __name__ is itself a valid name, so no exception is needed for it.
  if (NAME_OK[buf[at]!] !== 2) return false;
  for (let i = 1; i < len; i++) if (NAME_OK[buf[at + i]!] === 0) return false;
  return true;
}

function text(buf: Uint8Array, at: number, len: number): string {
  return JSON.stringify(new TextDecoder().decode(buf.subarray(at, at + len)));
}
