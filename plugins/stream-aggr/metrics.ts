/** Self-metrics in the spirit of vmagent's vm_streamaggr_*, one `rule` label per rule. */
import {
  STAT_APPLIED, STAT_DUPLICATE, STAT_FUTURE, STAT_LATE, STAT_NAN, STAT_OLD, STAT_OUT_OF_ORDER, STAT_RESETS,
} from '../../host/kernels/stream-aggregator.js';
import type { PluginMetrics } from '../../host/telemetry/plugin-metrics.js';
import type { StreamAggregation } from '../../host/aggregation/stream-aggregation.js';

const IGNORED: [number, string][] = [
  [STAT_NAN, 'nan'],
  [STAT_OLD, 'too_old'],
  [STAT_LATE, 'late'],
  [STAT_FUTURE, 'future'],
  [STAT_OUT_OF_ORDER, 'counter_out_of_order'],
  [STAT_DUPLICATE, 'counter_duplicate'],
];

export function streamAggrMetrics(m: PluginMetrics) {
  const matched = m.counter({ name: 'sluice_streamaggr_matched_samples_total', help: 'Input samples matched by a rule (after dedup).', labelNames: ['rule'] });
  const ignored = m.counter({ name: 'sluice_streamaggr_ignored_samples_total', help: 'Matched samples not aggregated, by reason.', labelNames: ['rule', 'reason'] });
  const resets = m.counter({ name: 'sluice_streamaggr_counter_resets_total', help: 'Counter resets seen by total, increase and rate outputs.', labelNames: ['rule'] });
  const output = m.counter({ name: 'sluice_streamaggr_output_samples_total', help: 'Aggregated samples emitted.', labelNames: ['rule'] });
  const dropped = m.counter({ name: 'sluice_streamaggr_output_dropped_samples_total', help: 'Aggregated samples dropped because downstream refused them for too long.' });
  const flush = m.histogram({ name: 'sluice_streamaggr_flush_duration_seconds', help: 'Time to close a window and build its outputs.', labelNames: ['rule'], buckets: [0.0001, 0.001, 0.01, 0.1, 1, 10] });
  const lag = m.histogram({ name: 'sluice_streamaggr_samples_lag_seconds', help: 'Mean age of the samples of a batch when they arrive.', labelNames: ['rule'], buckets: [0.1, 1, 5, 15, 60, 300, 3600] });
  const bytes = m.gauge({ name: 'sluice_streamaggr_state_bytes', help: 'Bytes of aggregation state.', labelNames: ['rule'] });
  const items = m.gauge({ name: 'sluice_streamaggr_state_items', help: 'Series and groups held in aggregation state.', labelNames: ['rule', 'kind'] });

  return {
    dropped,
    /** Moves each rule's kernel counters into the metrics. */
    record(agg: StreamAggregation): void {
      for (const r of agg.rules) {
        const rule = r.plan.label;
        const s = r.stats;
        let sum = s[STAT_APPLIED]!;
        for (const [i, reason] of IGNORED) {
          if (s[i]! > 0) ignored.inc({ rule, reason }, s[i]!);
          if (i !== STAT_OUT_OF_ORDER && i !== STAT_DUPLICATE) sum += s[i]!;
        }
        if (sum > 0) matched.inc({ rule }, sum);
        if (s[STAT_RESETS]! > 0) resets.inc({ rule }, s[STAT_RESETS]!);
        s.fill(0);
        if (r.emitted > 0) output.inc({ rule }, r.emitted);
        r.emitted = 0;
      }
    },
    flushed(rule: string, seconds: number): void {
      flush.observe({ rule }, seconds);
    },
    lag(agg: StreamAggregation, meanLagSeconds: number): void {
      for (const r of agg.rules) lag.observe({ rule: r.plan.label }, meanLagSeconds);
    },
    state(agg: StreamAggregation): void {
      for (const r of agg.rules) {
        bytes.set({ rule: r.plan.label }, r.stateBytes());
        items.set({ rule: r.plan.label, kind: 'series' }, r.registry.liveSlots);
        items.set({ rule: r.plan.label, kind: 'groups' }, r.registry.liveGroups);
      }
    },
  };
}

export type StreamAggrMetrics = ReturnType<typeof streamAggrMetrics>;
