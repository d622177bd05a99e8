/**
 * One stream aggregation rule: vmagent's `-streamAggr.config` entry, accepted unchanged and
 * validated the same way, plus Sluice's own keys (event time, lateness, gap horizon), which
 * vmagent would reject and which default to vmagent-compatible behaviour where it is sound.
 */
import { z } from 'zod';
import { parseDuration } from '../config/duration.js';
import { parseOutputs } from './outputs.js';
import { relabelConfigSchema } from './relabel.js';
import { parseSeriesSelector } from './selector.js';

const durationText = (description: string) =>
  z
    .string({ error: 'expected a duration such as 30s, 1m or 1h30m' })
    .refine((s) => parseDuration(s) !== undefined, { message: 'invalid duration; use e.g. 30s, 1m, 1h30m' })
    .describe(description);

const labelList = (description: string) => z.array(z.string()).describe(description);

export const ruleSchema = z
  .strictObject({
    name: z.string().optional().describe('Name of the rule; the `name` label of its self-metrics.'),
    match: z
      .union([z.string(), z.array(z.string())])
      .optional()
      .describe('Series selector, or a list of them (any may match), choosing the input series; absent: all series.'),
    interval: durationText('Aggregation interval; outputs are flushed once per interval, at multiples of it since the epoch.'),
    dedup_interval: durationText('Per-series deduplication before aggregation: the latest sample of each dedup interval is kept. Must divide interval.').optional(),
    staleness_interval: durationText('A series (and an output series of total) without samples for this long is reset, as in vmagent. Default: 2 x interval.').optional(),
    ignore_first_sample_interval: durationText(
      'After start, the first sample of a new series is a baseline, not an increase, for this long. Default: staleness_interval; 0s when state was restored.',
    ).optional(),
    no_align_flush_to_interval: z.boolean().default(false).describe('Flush every interval from start instead of at multiples of interval since the epoch.'),
    flush_on_shutdown: z.boolean().default(false).describe('Flush the incomplete interval on shutdown (it is otherwise kept in the state snapshot and completed after restart).'),
    by: labelList('Labels kept in the output; the others are aggregated away.').optional(),
    without: labelList('Labels aggregated away; the others are kept.').optional(),
    outputs: z.array(z.string()).describe('Aggregations to compute: total, increase, rate_sum, count_samples, quantiles(0.5, 0.99), ...'),
    keep_metric_names: z.boolean().default(false).describe('Name outputs like their input metric (only with a single output).'),
    ignore_old_samples: z.boolean().default(false).describe('Ignore samples whose timestamp is before the current interval.'),
    ignore_first_intervals: z.number().int().min(0).default(0).describe('Do not emit the first N intervals after start.'),
    drop_input_labels: labelList('Labels removed from input series before relabeling, dedup and aggregation.').optional(),
    input_relabel_configs: z.array(relabelConfigSchema).optional().describe('Relabeling applied to matched input series before aggregation.'),
    output_relabel_configs: z.array(relabelConfigSchema).optional().describe('Relabeling applied to output series.'),
    enable_windows: z.boolean().default(false).describe('vmagent fixed windows: a sample counts in the window of its timestamp. In Sluice this turns on event_time.'),
    event_time: z.boolean().default(false).describe('Sluice: a sample counts toward the interval its timestamp belongs to; windows close after allowed_lateness.'),
    allowed_lateness: durationText('Sluice, event time: how long after its end a window still accepts samples.').default('0s'),
    late_samples: z.enum(['drop', 'pass']).default('drop').describe('Sluice, event time: samples later than allowed_lateness are counted and dropped, or passed downstream raw.'),
    counter_gap_horizon: durationText(
      'Sluice: how long a counter series\' last value is remembered after its last sample. A series returning within it continues from that value (no spike).',
    ).default('1h'),
    quantile_reservoir: z.number().int().min(16).max(1_000_000).default(1000).describe('Sluice: values kept per group and interval for quantiles; exact up to this many.'),
  })
  .superRefine((r, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const ms = (s: string | undefined) => (s === undefined ? undefined : parseDuration(s));
    const interval = ms(r.interval);
    if (r.by !== undefined && r.without !== undefined && r.by.length > 0 && r.without.length > 0) issue(['by'], 'by and without cannot be set together');
    if (interval !== undefined && interval < 1000) issue(['interval'], `interval cannot be smaller than 1s; got ${r.interval}`);
    const dedup = ms(r.dedup_interval);
    if (interval !== undefined && dedup !== undefined && dedup > 0) {
      if (dedup > interval) issue(['dedup_interval'], `dedup_interval=${r.dedup_interval} cannot exceed interval=${r.interval}`);
      else if (interval % dedup !== 0) issue(['dedup_interval'], `interval=${r.interval} must be a multiple of dedup_interval=${r.dedup_interval}`);
    }
    const staleness = ms(r.staleness_interval);
    if (interval !== undefined && staleness !== undefined && staleness < interval) {
      issue(['staleness_interval'], `staleness_interval=${r.staleness_interval} cannot be smaller than interval=${r.interval}`);
    }
    const { outputs, problems } = parseOutputs(r.outputs);
    for (const p of problems) issue(p.index < 0 ? ['outputs'] : ['outputs', p.index], p.message);
    if (r.keep_metric_names && r.outputs.length > 1) issue(['keep_metric_names'], `keep_metric_names requires a single output; got ${r.outputs.length}`);
    if (r.keep_metric_names && outputs.some((o) => o.kind === 'quantiles' || o.kind === 'histogram_bucket')) {
      issue(['keep_metric_names'], 'keep_metric_names cannot be used with quantiles or histogram_bucket');
    }
    const selectors = r.match === undefined ? [] : Array.isArray(r.match) ? r.match : [r.match];
    selectors.forEach((s, i) => {
      try {
        parseSeriesSelector(s);
      } catch (err) {
        issue(Array.isArray(r.match) ? ['match', i] : ['match'], (err as Error).message);
      }
    });
    if (!(r.event_time || r.enable_windows) && (r.allowed_lateness !== '0s' || r.late_samples !== 'drop')) {
      issue(['allowed_lateness'], 'allowed_lateness and late_samples apply only with event_time: true');
    }
  });

export type RuleConfig = z.output<typeof ruleSchema>;
