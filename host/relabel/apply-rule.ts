import crypto, { createHash } from 'node:crypto';
import { RE2JS } from 're2js';
import { expandTemplate, replaceAll } from './expand.js';
import { memoize, MemoRegex } from './memo-regex.js';
import { xxhash64 } from './xxhash64.js';
import { RELABEL_DEFAULTS, type RelabelConfig } from './rule.js';
import { anySelector, parseSeriesSelector, type SeriesSelector } from './selector.js';

/** The label set being rewritten: name → value; an absent label reads as "". */
export type LabelBuilder = Map<string, string>;

/** One compiled rule: rewrites `lb` in place and returns false when the series is dropped. */
export type AppliedRule = (lb: LabelBuilder) => boolean;

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Which hash `hashmod` takes: Prometheus's md5, or the xxhash64 of VictoriaMetrics and vmagent. */
export type HashmodHash = 'md5' | 'xxhash64';

/** Compiles a validated rule. Throws SyntaxError for a regex or selector validation let through. */
export function compileRule(rule: RelabelConfig, hash: HashmodHash = 'md5'): AppliedRule {
  const action = compileAction(rule, hash);
  if (rule.if === undefined) return action;
  const selector: SeriesSelector = anySelector(rule.if.map(parseSeriesSelector));
  const keep = rule.action === 'keep' || rule.action === 'keep_metrics';
  return (lb) => {
    // VictoriaMetrics: keep and keep_metrics drop what their `if` does not select; other rules
    // (keep_if_equal too) just skip it. Both behaviours are peer-tested.
    if (!selector.matches((name) => lb.get(name))) return !keep;
    return action(lb);
  };
}

function compileAction(rule: RelabelConfig, hash: HashmodHash): AppliedRule {
  const src = rule.source_labels;
  const sep = rule.separator;
  const join = (lb: LabelBuilder) => (src.length === 1 ? lb.get(src[0]!) ?? '' : src.map((n) => lb.get(n) ?? '').join(sep));
  const target = rule.target_label ?? '';
  switch (rule.action) {
    case 'replace':
      return compileReplace(rule, join);
    case 'keep':
    case 'drop': {
      const re = new MemoRegex(rule.regex);
      const keep = rule.action === 'keep';
      return (lb) => re.matches(join(lb)) === keep;
    }
    case 'keep_metrics':
    case 'drop_metrics': {
      const re = new MemoRegex(rule.regex);
      const keep = rule.action === 'keep_metrics';
      return (lb) => re.matches(lb.get('__name__') ?? '') === keep;
    }
    case 'keepequal':
      return (lb) => join(lb) === (lb.get(target) ?? '');
    case 'dropequal':
      return (lb) => join(lb) !== (lb.get(target) ?? '');
    case 'keep_if_equal':
    case 'drop_if_equal': {
      const keep = rule.action === 'keep_if_equal';
      return (lb) => allEqual(lb, src) === keep;
    }
    case 'hashmod': {
      const modulus = BigInt(rule.modulus!);
      const mod = memoize((value) => String(hashmod(value, modulus, hash)));
      return (lb) => setLabel(lb, target, mod(join(lb)));
    }
    case 'lowercase':
      return (lb) => setLabel(lb, target, join(lb).toLowerCase());
    case 'uppercase':
      return (lb) => setLabel(lb, target, join(lb).toUpperCase());
    case 'labelmap':
      return compileLabelmap(rule);
    case 'labeldrop':
    case 'labelkeep': {
      const re = new MemoRegex(rule.regex);
      const keep = rule.action === 'labelkeep';
      return (lb) => {
        for (const name of [...lb.keys()]) if (re.matches(name) !== keep) lb.delete(name);
        return true;
      };
    }
    case 'replace_all': {
      const re = RE2JS.compile(rule.regex);
      const replace = memoize((value) => replaceAll(re, value, rule.replacement));
      return (lb) => setLabel(lb, target, replace(join(lb)));
    }
    case 'labelmap_all': {
      const re = RE2JS.compile(rule.regex);
      const rename = memoize((name) => replaceAll(re, name, rule.replacement));
      return (lb) => {
        for (const [name, value] of [...lb]) {
          const renamed = rename(name);
          if (renamed === name) continue;
          lb.delete(name);
          lb.set(renamed, value);
        }
        return true;
      };
    }
  }
}

function compileReplace(rule: RelabelConfig, join: (lb: LabelBuilder) => string): AppliedRule {
  const target = rule.target_label!;
  // The common `target_label: x` with a literal replacement, or a plain copy, needs no regex.
  if (rule.regex === RELABEL_DEFAULTS.regex && !target.includes('$')) {
    if (!rule.replacement.includes('$')) return (lb) => setLabel(lb, target, rule.replacement);
    if (rule.replacement === '$1' || rule.replacement === '${1}') return (lb) => setLabel(lb, target, join(lb));
  }
  const re = new MemoRegex(rule.regex);
  const names = re.names;
  return (lb) => {
    const groups = re.groups(join(lb));
    if (groups === null) return true;
    const name = expandTemplate(target, groups, names);
    // Prometheus skips the rule when the expanded target is not a valid label name.
    if (!LABEL_NAME.test(name)) return true;
    return setLabel(lb, name, expandTemplate(rule.replacement, groups, names));
  };
}

function compileLabelmap(rule: RelabelConfig): AppliedRule {
  const re = new MemoRegex(rule.regex);
  const names = re.names;
  return (lb) => {
    for (const [name, value] of [...lb]) {
      const groups = re.groups(name);
      if (groups !== null) lb.set(expandTemplate(rule.replacement, groups, names), value);
    }
    return true;
  };
}

/** Setting a label to "" removes it: an empty value and an absent label are the same in Prometheus. */
function setLabel(lb: LabelBuilder, name: string, value: string): true {
  if (value === '') lb.delete(name);
  else lb.set(name, value);
  return true;
}

function allEqual(lb: LabelBuilder, names: readonly string[]): boolean {
  const first = lb.get(names[0]!) ?? '';
  for (let i = 1; i < names.length; i++) if ((lb.get(names[i]!) ?? '') !== first) return false;
  return true;
}

/**
 * `hashmod` of the joined values. Prometheus: md5, its last 8 bytes as a big-endian uint64, mod m.
 * VictoriaMetrics: xxhash64 of the UTF-8 bytes, mod m.
 */
export function hashmod(value: string, modulus: bigint, hash: HashmodHash = 'md5'): bigint {
  if (hash === 'xxhash64') return xxhash64(encoder.encode(value)) % modulus;
  const digest = oneShotHash ? oneShotHash('md5', value, 'buffer') : createHash('md5').update(value, 'utf8').digest();
  return digest.readBigUInt64BE(8) % modulus;
}

const encoder = new TextEncoder();
// crypto.hash (Node 20.12+) skips the Hash object a one-off digest does not need.
const oneShotHash = (crypto as { hash?: (alg: string, data: string, enc: 'buffer') => Buffer }).hash;
