import { METRIC_NAME, type Label } from '../series/labels.js';
import { WireError } from './wire-error.js';

/** One sample line of the exposition format, labels including `__name__`, unsorted. */
export interface TextSample {
  /** 1-based line number in the body, for error messages. */
  line: number;
  labels: Label[];
  value: number;
  /** Milliseconds; undefined when the line has no timestamp. */
  ts: number | undefined;
  exemplar?: { labels: [string, string][]; value: number; ts: number | undefined };
}

/** `# HELP`, `# TYPE` and (OpenMetrics) `# UNIT` lines, by metric family. */
export interface TextMetadata {
  name: string;
  kind: 'help' | 'type' | 'unit';
  text: string;
}

export interface TextHandlers {
  sample(s: TextSample): void;
  metadata?(m: TextMetadata): void;
}

/**
 * Parses the Prometheus text exposition format (0.0.4) and OpenMetrics 1.0 text: comments,
 * HELP/TYPE/UNIT, escaped label values, optional timestamps (milliseconds in the Prometheus
 * format, seconds in OpenMetrics), NaN and ±Inf, exemplars after ` # `, `# EOF`, and the quoted
 * UTF-8 names of Prometheus 3 (`{"my.metric", "a.b"="x"}`). A malformed line is a WireError
 * naming its line number; labels with an empty value are dropped, as Prometheus treats them as
 * absent.
 */
export function parseExposition(text: string, openMetrics: boolean, on: TextHandlers): void {
  let lineNo = 0;
  let start = 0;
  let eof = false;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    lineNo++;
    let line = text.slice(start, end);
    start = end + 1;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (eof) {
      if (line.trim() !== '') throw lineError(lineNo, 'content after # EOF');
      continue;
    }
    if (line.trim() === '') continue;
    try {
      if (line.startsWith('#')) eof = comment(line, on) === 'eof' && openMetrics;
      else on.sample(new LineParser(line, openMetrics).sample(lineNo));
    } catch (err) {
      if (err instanceof LineSyntax) throw lineError(lineNo, `${err.message} in ${JSON.stringify(line.length > 120 ? `${line.slice(0, 120)}…` : line)}`);
      throw err;
    }
  }
}

function lineError(lineNo: number, why: string): WireError {
  return new WireError('text', `line ${lineNo}: ${why}`);
}

class LineSyntax extends Error {}

const META = /^#\s+(HELP|TYPE|UNIT)\s+(\S+)(?:\s+(.*))?$/;

function comment(line: string, on: TextHandlers): 'eof' | undefined {
  if (/^#\s*EOF\s*$/.test(line)) return 'eof';
  const m = META.exec(line);
  if (!m) return undefined;
  const kind = m[1]!.toLowerCase() as TextMetadata['kind'];
  let body = m[3] ?? '';
  if (kind === 'help') body = body.replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
  if (kind === 'type' && !/^(counter|gauge|histogram|gaugehistogram|summary|info|stateset|unknown|untyped)$/.test(body.trim())) {
    throw new LineSyntax(`unknown metric type ${JSON.stringify(body.trim())}`);
  }
  on.metadata?.({ name: m[2]!, kind, text: kind === 'type' ? body.trim() : body });
  return undefined;
}

const NAME_START = /[a-zA-Z_:]/;
const NAME_CHAR = /[a-zA-Z0-9_:]/;

/** A cursor over one sample line. */
class LineParser {
  readonly #s: string;
  readonly #om: boolean;
  #p = 0;

  constructor(line: string, openMetrics: boolean) {
    this.#s = line;
    this.#om = openMetrics;
  }

  sample(lineNo: number): TextSample {
    const labels: Label[] = [];
    let name = '';
    if (this.#s[this.#p] !== '{') name = this.#name(true);
    if (this.#s[this.#p] === '{') name = this.#labels(labels, name);
    if (name === '') throw new LineSyntax('missing metric name');
    labels.push({ name: METRIC_NAME, value: name });
    if (!this.#space()) throw new LineSyntax('expected a space before the value');
    const value = parseValue(this.#token());
    let ts: number | undefined;
    this.#space();
    if (this.#p < this.#s.length && this.#s[this.#p] !== '#') {
      ts = this.#timestamp(this.#token());
      this.#space();
    }
    let exemplar: TextSample['exemplar'];
    if (this.#s[this.#p] === '#') exemplar = this.#exemplar();
    if (this.#p < this.#s.length) throw new LineSyntax(`unexpected ${JSON.stringify(this.#s.slice(this.#p, this.#p + 20))}`);
    return exemplar ? { line: lineNo, labels, value, ts, exemplar } : { line: lineNo, labels, value, ts };
  }

  #exemplar(): TextSample['exemplar'] {
    this.#p++;
    if (!this.#space() || this.#s[this.#p] !== '{') throw new LineSyntax('expected {labels} after # for an exemplar');
    const pairs: Label[] = [];
    this.#labels(pairs, 'exemplar');
    if (!this.#space()) throw new LineSyntax('expected a space before the exemplar value');
    const value = parseValue(this.#token());
    let ts: number | undefined;
    if (this.#space() && this.#p < this.#s.length) ts = parseFloatStrict(this.#token()) * 1000;
    this.#space();
    return { labels: pairs.map((l) => [l.name, l.value]), value, ts };
  }

  /** `{a="x",b="y"}`; a lone quoted string inside is the metric name (UTF-8 syntax). */
  #labels(out: Label[], name: string): string {
    const s = this.#s;
    this.#p++;
    const seen = new Set<string>();
    for (;;) {
      this.#space();
      if (s[this.#p] === '}') break;
      const quoted = s[this.#p] === '"';
      const label = quoted ? this.#quoted() : this.#name(false);
      this.#space();
      if (s[this.#p] !== '=') {
        if (!quoted || name !== '') throw new LineSyntax(`expected = after label name ${JSON.stringify(label)}`);
        name = label;
      } else {
        this.#p++;
        this.#space();
        if (s[this.#p] !== '"') throw new LineSyntax(`expected a quoted value for label ${JSON.stringify(label)}`);
        const value = this.#quoted();
        if (seen.has(label)) throw new LineSyntax(`duplicate label name ${JSON.stringify(label)}`);
        seen.add(label);
        if (label === METRIC_NAME) throw new LineSyntax('__name__ cannot be given as a label');
        if (value !== '') out.push({ name: label, value });
      }
      this.#space();
      if (s[this.#p] === ',') this.#p++;
      else if (s[this.#p] !== '}') throw new LineSyntax('expected , or } after a label');
    }
    this.#p++;
    return name;
  }

  #name(metric: boolean): string {
    const s = this.#s;
    const from = this.#p;
    if (!NAME_START.test(s[from] ?? '') || (!metric && s[from] === ':')) throw new LineSyntax(`invalid ${metric ? 'metric' : 'label'} name at column ${from + 1}`);
    let p = from + 1;
    while (p < s.length && NAME_CHAR.test(s[p]!) && (metric || s[p] !== ':')) p++;
    this.#p = p;
    return s.slice(from, p);
  }

  /** A double-quoted string with the escapes \\, \" and \n. */
  #quoted(): string {
    const s = this.#s;
    let p = this.#p + 1;
    let out = '';
    let from = p;
    for (;;) {
      if (p >= s.length) throw new LineSyntax('unterminated quoted string');
      const c = s[p]!;
      if (c === '"') break;
      if (c === '\\') {
        const next = s[p + 1];
        if (next !== '\\' && next !== '"' && next !== 'n') throw new LineSyntax(`invalid escape \\${next ?? ''}`);
        out += s.slice(from, p) + (next === 'n' ? '\n' : next);
        p += 2;
        from = p;
      } else p++;
    }
    this.#p = p + 1;
    return out + s.slice(from, p);
  }

  #space(): boolean {
    const from = this.#p;
    while (this.#s[this.#p] === ' ' || this.#s[this.#p] === '\t') this.#p++;
    return this.#p > from;
  }

  #token(): string {
    const from = this.#p;
    while (this.#p < this.#s.length && this.#s[this.#p] !== ' ' && this.#s[this.#p] !== '\t') this.#p++;
    return this.#s.slice(from, this.#p);
  }

  #timestamp(tok: string): number {
    if (this.#om) return Math.round(parseFloatStrict(tok) * 1000);
    if (!/^-?\d+$/.test(tok)) throw new LineSyntax(`invalid timestamp ${JSON.stringify(tok)}; expected integer milliseconds`);
    return Number(tok);
  }
}

/** A sample value as Go's ParseFloat reads it, with the spellings of NaN and ±Inf it accepts. */
export function parseValue(tok: string): number {
  switch (tok.toLowerCase()) {
    case 'nan':
      return NaN;
    case '+inf':
    case 'inf':
    case '+infinity':
    case 'infinity':
      return Infinity;
    case '-inf':
    case '-infinity':
      return -Infinity;
  }
  return parseFloatStrict(tok);
}

function parseFloatStrict(tok: string): number {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(tok)) throw new LineSyntax(`invalid number ${JSON.stringify(tok)}`);
  return Number(tok);
}
