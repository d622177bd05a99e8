import type { RE2JS } from 're2js';

/**
 * Go's `Regexp.Expand`, which Prometheus applies to `replacement` and `target_label`:
 * `$1`, `${1}`, `$name`, `${name}`, `$$` for a literal dollar. A `$name` takes the longest run of
 * word characters, so `$1x` means group `1x` (which does not exist, so it expands to nothing), as
 * in Go; a malformed reference stays a literal `$`. Group numbers past the pattern expand to "".
 */
export function expandTemplate(template: string, groups: readonly (string | null)[], names: Readonly<Record<string, number>>): string {
  let out = '';
  let i = 0;
  for (;;) {
    const dollar = template.indexOf('$', i);
    if (dollar < 0) return out + template.slice(i);
    out += template.slice(i, dollar);
    i = dollar + 1;
    if (template[i] === '$') {
      out += '$';
      i++;
      continue;
    }
    const ref = readReference(template, i);
    if (ref === undefined) {
      out += '$';
      continue;
    }
    i = ref.end;
    const index = ref.num >= 0 ? ref.num : names[ref.name];
    if (index !== undefined) out += groups[index] ?? '';
  }
}

interface Reference {
  name: string;
  /** The group number when the name is all digits, else -1. */
  num: number;
  end: number;
}

const WORD = /[\p{L}\p{Nd}_]/u;

function readReference(t: string, start: number): Reference | undefined {
  const braced = t[start] === '{';
  let i = braced ? start + 1 : start;
  const nameStart = i;
  while (i < t.length && WORD.test(t[i]!)) i++;
  const name = t.slice(nameStart, i);
  if (name === '') return undefined;
  if (braced) {
    if (t[i] !== '}') return undefined;
    i++;
  }
  return { name, num: groupNumber(name), end: i };
}

function groupNumber(name: string): number {
  let num = 0;
  for (const ch of name) {
    // Go gives up on numbers of 1e8 and more, which then read as names (and match nothing).
    if (ch < '0' || ch > '9' || num >= 1e8) return -1;
    num = num * 10 + (ch.charCodeAt(0) - 48);
  }
  return num;
}

/** The capture groups of a successful match, index 0 being the whole match. */
export function captureGroups(m: { group(i: number): string | null; groupCount(): number }): (string | null)[] {
  const n = m.groupCount();
  const groups: (string | null)[] = new Array(n + 1);
  for (let g = 0; g <= n; g++) groups[g] = m.group(g);
  return groups;
}

/**
 * Every non-overlapping match of an unanchored regex in `input` replaced by the expanded template:
 * Go's `ReplaceAllString`, which VictoriaMetrics' `replace_all` and `labelmap_all` use.
 */
export function replaceAll(re: RE2JS, input: string, template: string): string {
  const names = re.namedGroups();
  const m = re.matcher(input);
  let out = '';
  let last = 0;
  let from = 0;
  let prevEnd = -1;
  while (from <= input.length && m.find(from)) {
    const start = m.start(0);
    const end = m.end(0);
    // Go ignores an empty match that abuts the previous match.
    if (!(start === end && start === prevEnd)) {
      out += input.slice(last, start) + expandTemplate(template, captureGroups(m), names);
      last = end;
      prevEnd = end;
    }
    // An empty match must not be found again at the same place.
    from = end === start ? end + 1 : end;
  }
  return out + input.slice(last);
}
