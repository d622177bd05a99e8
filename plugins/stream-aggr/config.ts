import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { duration } from '../../host/config/schema.js';
import { parseDuration } from '../../host/config/duration.js';
import { ruleSchema, type RuleConfig } from '../../host/aggregation/rule-schema.js';
import { parseRulesYaml } from './rules-file.js';

/** Window rings share a 32-bit mask per series: lateness may span at most this many intervals. */
const MAX_LATENESS_INTERVALS = 28;

export const streamAggrSchema = z
  .strictObject({
    rules: z.array(ruleSchema).default([]).describe('Aggregation rules in vmagent -streamAggr.config syntax (a YAML list of rules, accepted unchanged).'),
    config_file: z.string().optional().describe('A vmagent stream aggregation config file whose rules are added to `rules` (%{ENV} placeholders expanded).'),
    keep_input: z.boolean().default(false).describe('Also pass matched input samples downstream (vmagent -streamAggr.keepInput).'),
    drop_input: z.boolean().default(false).describe('Drop input samples that no rule matches (vmagent -streamAggr.dropInput).'),
    dedup_interval: duration('Dedup interval for rules without their own dedup_interval (vmagent -streamAggr.dedupInterval); 0s = off.', '0s'),
    persist_state: z.boolean().default(true).describe('Keep aggregation state in the data directory across restarts.'),
    state_snapshot_interval: duration('How often the state is also written to the data directory while running (it always is on shutdown). Written in slices between requests; at 1M series each write takes about 0.7 CPU-seconds and 120 MB of disk.', '1m'),
  })
  .transform((c, ctx) => {
    let rules: RuleConfig[] = c.rules;
    if (c.config_file !== undefined) {
      let text: string;
      try {
        text = readFileSync(c.config_file, 'utf8');
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: ['config_file'], message: `cannot read ${c.config_file}: ${(err as Error).message}` });
        return z.NEVER;
      }
      const r = parseRulesYaml(text, c.config_file);
      if ('issues' in r) {
        for (const i of r.issues) ctx.addIssue({ code: 'custom', path: ['config_file'], message: `${i.path}: ${i.message}` });
        return z.NEVER;
      }
      rules = [...rules, ...r.rules];
    }
    rules.forEach((r, i) => {
      const where = (key: string) => (i < c.rules.length ? ['rules', i, key] : ['config_file']);
      if (r.keep_metric_names && c.keep_input) {
        ctx.addIssue({ code: 'custom', path: where('keep_metric_names'), message: 'keep_metric_names cannot be used with keep_input: outputs would collide with the input series' });
      }
      const lateness = parseDuration(r.allowed_lateness) ?? 0;
      const interval = parseDuration(r.interval) ?? 1;
      if (lateness > MAX_LATENESS_INTERVALS * interval) {
        ctx.addIssue({ code: 'custom', path: where('allowed_lateness'), message: `allowed_lateness may be at most ${MAX_LATENESS_INTERVALS} intervals` });
      }
    });
    return { ...c, rules };
  });

export type StreamAggrConfig = z.output<typeof streamAggrSchema>;
