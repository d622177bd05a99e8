/**
 * A validated rule turned into what the aggregator runs on: durations in milliseconds, parsed
 * outputs, compiled selectors and relabelers, the name infix, kernel features and a fingerprint
 * that says whether two configs describe the same aggregation (state carries over when they do).
 */
import { parseDuration } from '../config/duration.js';
import { FEATURE_COUNTERS, FEATURE_DEDUP } from '../kernels/stream-aggregator.js';
import { nameInfix, outputFeatures, parseOutputs, type OutputSpec } from './outputs.js';
import { Relabeler } from './relabel.js';
import type { RuleConfig } from './rule-schema.js';
import { compileSelectors } from './selector.js';

export interface RulePlan {
  config: RuleConfig;
  /** `name`, or `rule<index>` when unnamed: the `rule` label of self-metrics. */
  label: string;
  fingerprint: string;
  intervalMs: number;
  dedupMs: number;
  stalenessMs: number;
  ignoreFirstSampleMs: number;
  /** How long per-series state lives after its last sample (counter gap horizon for counter rules). */
  seriesTtlMs: number;
  eventTime: boolean;
  latenessMs: number;
  /** Window ring slots kept open at once (1 in processing time). */
  rings: number;
  outputs: OutputSpec[];
  features: number;
  selectors: ReturnType<typeof compileSelectors>;
  by: string[] | undefined;
  without: string[] | undefined;
  dropInputLabels: Set<string>;
  inputRelabel: Relabeler;
  outputRelabel: Relabeler;
  infix: string;
}

const ms = (text: string | undefined): number | undefined => (text === undefined ? undefined : parseDuration(text));

/** Plans a rule validated by ruleSchema; `defaultDedupMs` is the processor-wide dedup interval. */
export function planRule(config: RuleConfig, index: number, defaultDedupMs = 0): RulePlan {
  const intervalMs = ms(config.interval)!;
  const dedupMs = ms(config.dedup_interval) ?? (defaultDedupMs > 0 && intervalMs % defaultDedupMs === 0 ? defaultDedupMs : 0);
  const stalenessMs = ms(config.staleness_interval) ?? 2 * intervalMs;
  const { outputs } = parseOutputs(config.outputs);
  let features = outputFeatures(outputs);
  if (dedupMs > 0) features |= FEATURE_DEDUP;
  const eventTime = config.event_time || config.enable_windows;
  const latenessMs = ms(config.allowed_lateness) ?? 0;
  const counters = (features & FEATURE_COUNTERS) !== 0;
  const by = config.by && config.by.length > 0 ? [...new Set(config.by.filter((l) => l !== '__name__'))].sort() : undefined;
  const without = config.without && config.without.length > 0 ? [...new Set(config.without)].sort() : undefined;
  return {
    config,
    label: config.name ?? `rule${index}`,
    fingerprint: JSON.stringify({ ...config, name: undefined, dedup: dedupMs }),
    intervalMs,
    dedupMs,
    stalenessMs,
    ignoreFirstSampleMs: ms(config.ignore_first_sample_interval) ?? stalenessMs,
    seriesTtlMs: counters ? Math.max(stalenessMs, ms(config.counter_gap_horizon) ?? 0) : stalenessMs,
    eventTime,
    latenessMs,
    rings: eventTime ? Math.ceil(latenessMs / intervalMs) + 3 : 1,
    outputs,
    features,
    selectors: compileSelectors(config.match),
    by,
    without,
    dropInputLabels: new Set(config.drop_input_labels ?? []),
    inputRelabel: new Relabeler(config.input_relabel_configs ?? []),
    outputRelabel: new Relabeler(config.output_relabel_configs ?? []),
    infix: nameInfix(config.interval, by ?? [], without ?? []),
  };
}
