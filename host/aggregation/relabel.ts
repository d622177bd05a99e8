/**
 * Prometheus relabeling for a rule's input_relabel_configs and output_relabel_configs: the common
 * actions, applied once per new series (results are cached by the caller), never per sample.
 * A small local engine so that stream aggregation does not depend on the relabel plugin.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { RE2JS } from 're2js';
import { compileAnchored } from '../series/matcher.js';
import { METRIC_NAME, sortLabels, type Label } from '../series/labels.js';
import { compileSelectors, matchesAny } from './selector.js';

const ACTIONS = [
  'replace', 'keep', 'drop', 'labeldrop', 'labelkeep', 'labelmap', 'lowercase', 'uppercase', 'hashmod', 'keep_if_equal', 'drop_if_equal',
] as const;

export const relabelConfigSchema = z.strictObject({
  source_labels: z.array(z.string()).optional().describe('Labels whose values, joined by separator, are matched against regex.'),
  separator: z.string().default(';').describe('Joins source label values.'),
  target_label: z.string().optional().describe('Label written by replace, hashmod, lowercase and uppercase.'),
  regex: z.string().default('(.*)').describe('RE2 regex, fully anchored.'),
  modulus: z.number().int().positive().optional().describe('Modulus for hashmod.'),
  replacement: z.string().default('$1').describe('Value written on a match; $1 and ${name} refer to groups.'),
  action: z.enum(ACTIONS).default('replace').describe('What the rule does.'),
  if: z.union([z.string(), z.array(z.string())]).optional().describe('Series selector: the rule applies only to series it matches.'),
});

export type RelabelConfig = z.output<typeof relabelConfigSchema>;

/** Compiled relabel rules: apply() returns the new label set, or undefined when dropped. */
export class Relabeler {
  #rules: { c: RelabelConfig; re: RE2JS; cond: ReturnType<typeof compileSelectors> }[];

  constructor(configs: readonly RelabelConfig[]) {
    this.#rules = configs.map((c) => ({ c, re: compileAnchored(c.regex), cond: compileSelectors(c.if) }));
  }

  get empty(): boolean {
    return this.#rules.length === 0;
  }

  apply(input: readonly Label[]): Label[] | undefined {
    const m = new Map(input.map((l) => [l.name, l.value]));
    for (const { c, re, cond } of this.#rules) {
      if (!matchesAny(cond, (n) => m.get(n))) continue;
      const src = (c.source_labels ?? []).map((n) => m.get(n) ?? '').join(c.separator);
      switch (c.action) {
        case 'keep':
          if (!re.matches(src)) return undefined;
          break;
        case 'drop':
          if (re.matches(src)) return undefined;
          break;
        case 'keep_if_equal':
        case 'drop_if_equal': {
          const vals = (c.source_labels ?? []).map((n) => m.get(n) ?? '');
          const equal = vals.every((v) => v === vals[0]);
          if (equal === (c.action === 'drop_if_equal')) return undefined;
          break;
        }
        case 'replace': {
          const mt = re.matcher(src);
          if (!mt.matches() || c.target_label === undefined) break;
          const target = expand(c.target_label, mt);
          const value = expand(c.replacement, mt);
          set(m, target, value);
          break;
        }
        case 'lowercase':
        case 'uppercase':
          if (c.target_label !== undefined) set(m, c.target_label, c.action === 'lowercase' ? src.toLowerCase() : src.toUpperCase());
          break;
        case 'hashmod':
          if (c.target_label !== undefined && c.modulus !== undefined) set(m, c.target_label, String(hashMod(src, c.modulus)));
          break;
        case 'labeldrop':
        case 'labelkeep':
          for (const name of [...m.keys()]) {
            if (name === METRIC_NAME) continue;
            if (re.matches(name) === (c.action === 'labeldrop')) m.delete(name);
          }
          break;
        case 'labelmap':
          for (const [name, value] of [...m]) {
            const mt = re.matcher(name);
            if (mt.matches()) set(m, expand(c.replacement, mt), value);
          }
          break;
      }
    }
    return sortLabels([...m].map(([name, value]) => ({ name, value })));
  }
}

function set(m: Map<string, string>, name: string, value: string): void {
  if (value === '') m.delete(name);
  else m.set(name, value);
}

interface Groups {
  group(i: number | string): string | null;
  groupCount(): number;
}

/** Expands $1, ${1} and ${name} like Go's Regexp.Expand. */
function expand(template: string, mt: Groups): string {
  return template.replace(/\$(?:\{(\w+)\}|(\d+))/g, (_, braced: string | undefined, digits: string | undefined) => {
    const key = braced ?? digits!;
    const idx = /^\d+$/.test(key) ? Number(key) : key;
    try {
      if (typeof idx === 'number' && idx > mt.groupCount()) return '';
      return mt.group(idx) ?? '';
    } catch {
      return '';
    }
  });
}

/** Prometheus's hashmod: the last 8 bytes of the MD5 sum as a big-endian uint64, modulo n. */
function hashMod(value: string, modulus: number): number {
  const sum = createHash('md5').update(value).digest();
  return Number(sum.readBigUInt64BE(8) % BigInt(modulus));
}
