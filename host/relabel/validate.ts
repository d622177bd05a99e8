import { RE2JS } from 're2js';
import { compileAnchored } from '../series/matcher.js';
import { RELABEL_ACTIONS, RELABEL_DEFAULTS, type RelabelAction, type RelabelConfig } from './rule.js';
import { parseSeriesSelector } from './selector.js';

export interface RuleIssue {
  /** The field of the rule the problem is in, e.g. `target_label`. */
  field: string;
  message: string;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
// A label name that may contain $1 / ${name} references, as Prometheus allows for replace.
const LABEL_TEMPLATE = /^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$/;

const NEEDS_TARGET: ReadonlySet<RelabelAction> = new Set(['replace', 'hashmod', 'lowercase', 'uppercase', 'keepequal', 'dropequal', 'replace_all']);
const NO_REPLACEMENT: ReadonlySet<RelabelAction> = new Set(['lowercase', 'uppercase', 'keepequal', 'dropequal']);

/**
 * Prometheus's checks (config.Validate in its relabel package) plus the ones VictoriaMetrics makes
 * for its extensions. Problems are reported per field so config errors carry exact paths.
 */
export function checkRule(rule: RelabelConfig, sourceLabelsSet: boolean): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const add = (field: string, message: string) => issues.push({ field, message });
  const { action } = rule;
  if (!(RELABEL_ACTIONS as readonly string[]).includes(action)) {
    add('action', `unknown relabel action ${JSON.stringify(action)}; expected one of ${RELABEL_ACTIONS.join(', ')}`);
    return issues;
  }
  const target = rule.target_label;
  if (NEEDS_TARGET.has(action) && (target === undefined || target === '')) {
    add('target_label', `relabel configuration for ${action} action requires 'target_label' value`);
  } else if (target !== undefined && NEEDS_TARGET.has(action)) {
    const ok = action === 'replace' || action === 'replace_all' ? LABEL_TEMPLATE.test(target) : LABEL_NAME.test(target);
    if (!ok) add('target_label', `${JSON.stringify(target)} is invalid 'target_label' for ${action} action`);
  }
  if (action === 'hashmod' && !rule.modulus) add('modulus', 'relabel configuration for hashmod requires non-zero modulus');
  if (NO_REPLACEMENT.has(action) && rule.replacement !== RELABEL_DEFAULTS.replacement) {
    add('replacement', `'replacement' can not be set for ${action} action`);
  }
  if (action === 'labelmap' && !LABEL_TEMPLATE.test(rule.replacement)) {
    add('replacement', `${JSON.stringify(rule.replacement)} is invalid 'replacement' for ${action} action`);
  }
  if ((action === 'keepequal' || action === 'dropequal') && (rule.regex !== RELABEL_DEFAULTS.regex || rule.modulus || rule.separator !== RELABEL_DEFAULTS.separator)) {
    add('action', `${action} action requires only 'source_labels' and 'target_label', and no other fields`);
  }
  if ((action === 'labeldrop' || action === 'labelkeep') && (sourceLabelsSet || target !== undefined || rule.modulus || rule.separator !== RELABEL_DEFAULTS.separator || rule.replacement !== RELABEL_DEFAULTS.replacement)) {
    add('action', `${action} action requires only 'regex', and no other fields`);
  }
  if ((action === 'keep_if_equal' || action === 'drop_if_equal') && rule.source_labels.length < 2) {
    add('source_labels', `${action} action requires at least two 'source_labels'`);
  }
  if ((action === 'keep_metrics' || action === 'drop_metrics') && sourceLabelsSet) {
    add('source_labels', `'source_labels' can not be set for ${action} action; it always matches the metric name`);
  }
  if (action === 'replace_all' && rule.source_labels.length === 0) {
    add('source_labels', "replace_all action requires 'source_labels'");
  }
  checkRegex(rule, add);
  rule.if?.forEach((text, i) => {
    try {
      parseSeriesSelector(text);
    } catch (err) {
      add(rule.if!.length === 1 ? 'if' : `if[${i}]`, (err as Error).message);
    }
  });
  return issues;
}

function checkRegex(rule: RelabelConfig, add: (field: string, message: string) => void): void {
  try {
    if (rule.action === 'replace_all' || rule.action === 'labelmap_all') RE2JS.compile(rule.regex);
    else compileAnchored(rule.regex);
  } catch (err) {
    add('regex', `invalid regex ${JSON.stringify(rule.regex)}: ${(err as Error).message}`);
  }
}
