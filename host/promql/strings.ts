/**
 * PromQL string literals: unquoting with Go's escape rules, and quoting the way Go's `%q` does,
 * which is how Prometheus prints strings and label values.
 *
 * PromQL strings are byte strings: `"\xff"` is one byte that is not UTF-8. JavaScript strings
 * cannot hold such a byte, so it is kept as a lone surrogate U+DC80+byte (the "surrogateescape"
 * trick), which `quote` prints back as `\xff`. Valid text never contains lone surrogates, so
 * nothing else is affected.
 */

const SIMPLE_ESCAPES: Record<string, number> = {
  a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92,
};

/**
 * Unquote the body of a quoted literal (without its quotes). Returns the value or an error message.
 * `quote` is the delimiter: `"`, `'` or `` ` `` (raw, no escapes).
 */
export function unquote(body: string, quote: string): { value: string } | { error: string } {
  if (quote === '`') return { value: body };
  if (!body.includes('\\')) return { value: body };
  const bytes: number[] = [];
  for (let i = 0; i < body.length; ) {
    const cp = body.codePointAt(i)!;
    if (cp !== 92) {
      pushUtf8(bytes, cp);
      i += cp > 0xffff ? 2 : 1;
      continue;
    }
    const c = body[i + 1];
    if (c === undefined) return { error: 'escape sequence not terminated' };
    if (c in SIMPLE_ESCAPES) {
      bytes.push(SIMPLE_ESCAPES[c]!);
      i += 2;
    } else if (c === quote) {
      bytes.push(c.charCodeAt(0));
      i += 2;
    } else if (c >= '0' && c <= '7') {
      const digits = body.slice(i + 1, i + 4);
      if (!/^[0-7]{3}$/.test(digits)) return { error: 'unknown escape sequence' };
      const v = parseInt(digits, 8);
      if (v > 255) return { error: 'octal escape value > 255' };
      bytes.push(v);
      i += 4;
    } else if (c === 'x' || c === 'u' || c === 'U') {
      const n = c === 'x' ? 2 : c === 'u' ? 4 : 8;
      const digits = body.slice(i + 2, i + 2 + n);
      if (digits.length !== n || !/^[0-9a-fA-F]+$/.test(digits)) {
        return { error: 'unknown escape sequence' };
      }
      const v = parseInt(digits, 16);
      if (c === 'x') bytes.push(v);
      else if (v > 0x10ffff || (v >= 0xd800 && v < 0xe000)) return { error: 'invalid Unicode code point' };
      else pushUtf8(bytes, v);
      i += 2 + n;
    } else {
      return { error: 'unknown escape sequence' };
    }
  }
  return { value: decodeUtf8Escaped(bytes) };
}

function pushUtf8(out: number[], cp: number): void {
  if (cp >= 0xdc80 && cp <= 0xdcff) {
    out.push(cp - 0xdc00); // an escaped raw byte stays that byte
  } else if (cp < 0x80) out.push(cp);
  else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
  else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
}

/** Decode UTF-8, mapping each byte that is not part of a valid sequence to U+DC80+byte. */
function decodeUtf8Escaped(bytes: number[]): string {
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    let cp = -1;
    let len = 1;
    if (b < 0x80) cp = b;
    else if (b >= 0xc2 && b < 0xe0) len = 2;
    else if (b >= 0xe0 && b < 0xf0) len = 3;
    else if (b >= 0xf0 && b < 0xf5) len = 4;
    if (len > 1 && i + len <= bytes.length) {
      let v = b & (0xff >> (len + 1));
      let ok = true;
      for (let k = 1; k < len; k++) {
        const cb = bytes[i + k]!;
        if ((cb & 0xc0) !== 0x80) ok = false;
        v = (v << 6) | (cb & 63);
      }
      const min = len === 2 ? 0x80 : len === 3 ? 0x800 : 0x10000;
      if (ok && v >= min && v <= 0x10ffff && !(v >= 0xd800 && v < 0xe000)) cp = v;
    }
    if (cp < 0) {
      out += String.fromCharCode(0xdc00 + b);
      i += 1;
    } else {
      out += String.fromCodePoint(cp);
      i += cp < 0x80 ? 1 : len;
    }
  }
  return out;
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** Quote like Go's `strconv.Quote` (`%q`): printable runes stay, others are escaped. */
export function quote(value: string): string {
  let out = '"';
  for (const ch of value) {
    const cp = ch.codePointAt(0)!;
    if (cp === 34) out += '\\"';
    else if (cp === 92) out += '\\\\';
    else if (cp === 32 || (cp >= 0x21 && cp < 0x7f)) out += ch;
    else if (cp >= 0xdc80 && cp <= 0xdcff && ch.length === 1) out += '\\x' + hex(cp - 0xdc00, 2);
    else if (cp > 0x7f && PRINTABLE.test(ch)) out += ch;
    else if (cp === 7) out += '\\a';
    else if (cp === 8) out += '\\b';
    else if (cp === 12) out += '\\f';
    else if (cp === 10) out += '\\n';
    else if (cp === 13) out += '\\r';
    else if (cp === 9) out += '\\t';
    else if (cp === 11) out += '\\v';
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + hex(cp, 2);
    else if (cp >= 0xd800 && cp < 0xe000) out += '\\ufffd';
    else if (cp < 0x10000) out += '\\u' + hex(cp, 4);
    else out += '\\U' + hex(cp, 8);
  }
  return out + '"';
}

function hex(v: number, width: number): string {
  return v.toString(16).padStart(width, '0');
}

const LEGACY_LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const LEGACY_METRIC = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

export function isLegacyLabelName(name: string): boolean {
  return LEGACY_LABEL.test(name);
}

export function isLegacyMetricName(name: string): boolean {
  return LEGACY_METRIC.test(name);
}

/** A label name as PromQL writes it: bare when it can be, quoted (Prometheus 3 UTF-8 names) when not. */
export function labelName(name: string): string {
  return isLegacyLabelName(name) ? name : quote(name);
}

/** Compare by code point, which is UTF-8 byte order, as Go's `sort.Strings` orders. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (astral code points) sort after the rest of the BMP in code point order.
    const xs = x >= 0xd800 && x < 0xe000 ? x + 0x10000 : x;
    const ys = y >= 0xd800 && y < 0xe000 ? y + 0x10000 : y;
    return xs - ys;
  }
  return a.length - b.length;
}
