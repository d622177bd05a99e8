import { z } from 'zod';
import { RELABEL_ACTIONS, RELABEL_DEFAULTS, type RelabelAction, type RelabelConfig } from './rule.js';
import { checkRule } from './validate.js';

export { RELABEL_ACTIONS, RELABEL_DEFAULTS, type RelabelAction, type RelabelConfig };

// YAML turns `replacement: 1` or `regex: 200` into numbers; Prometheus reads them as strings.
const yamlString = z.union([z.string(), z.number(), z.boolean()]).transform(String);

const ruleShape = z.strictObject({
  source_labels: z.array(z.string()).optional().describe('Labels whose values are joined with `separator` and matched against `regex`.'),
  separator: yamlString.optional().describe('Placed between the joined source label values. Default ";".'),
  target_label: z.string().optional().describe('The label written by replace, hashmod, lowercase, uppercase, replace_all; compared by keepequal/dropequal.'),
  regex: z
    .union([yamlString, z.array(yamlString).min(1)])
    .optional()
    .describe('RE2 regex, fully anchored (except for replace_all and labelmap_all). A list is joined with "|", as VictoriaMetrics does. Default "(.*)".'),
  modulus: z.number().int().nonnegative().optional().describe('Modulus of the hash for hashmod.'),
  replacement: yamlString.optional().describe('Written to target_label; $1, ${1}, $name and ${name} refer to regex groups. Default "$1".'),
  action: z.string().optional().describe(`One of ${RELABEL_ACTIONS.join(', ')}. Default replace.`),
  if: z
    .union([z.string(), z.array(z.string()).min(1)])
    .optional()
    .describe('A series selector such as `{job="api"}`: the rule applies only to series it matches (a keep rule drops the others).'),
});

/** One relabel rule as written in Prometheus or vmagent files, validated like Prometheus does. */
export const relabelConfigSchema = ruleShape
  .transform((raw, ctx): RelabelConfig => {
    const action = (raw.action ?? RELABEL_DEFAULTS.action).toLowerCase() as RelabelAction;
    const rule: RelabelConfig = {
      source_labels: raw.source_labels ?? [],
      separator: raw.separator ?? RELABEL_DEFAULTS.separator,
      target_label: raw.target_label,
      regex: Array.isArray(raw.regex) ? raw.regex.join('|') : raw.regex ?? RELABEL_DEFAULTS.regex,
      modulus: raw.modulus,
      replacement: raw.replacement ?? RELABEL_DEFAULTS.replacement,
      action,
      if: raw.if === undefined ? undefined : Array.isArray(raw.if) ? raw.if : [raw.if],
    };
    for (const issue of checkRule(rule, raw.source_labels !== undefined)) {
      ctx.addIssue({ code: 'custom', path: [issue.field], message: issue.message });
    }
    return rule;
  })
  .describe('A Prometheus relabel_config, with VictoriaMetrics extensions.');

/** A `relabel_configs` list. */
export const relabelConfigsSchema = z.array(relabelConfigSchema).describe('Relabeling rules, applied in order to every new series.');
