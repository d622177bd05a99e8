/**
 * Turns one closed window of group state into output samples: the definition of every output
 * (the kernel only keeps the statistics they are computed from). Output series are resolved in the
 * series index once per group and output, then cached.
 */
import { BatchBuilder, type SampleBatch } from '../batch/sample-batch.js';
import { formatTenant } from '../batch/tenant.js';
import type { StreamAggregator } from '../kernels/stream-aggregator.js';
import { METRIC_NAME, metricName, sortLabels, type Label } from '../series/labels.js';
import type { SeriesIndex } from '../series/series-index.js';
import { CUMULATIVE, outputName, quantileOfSorted, type OutputSpec } from './outputs.js';
import type { RulePlan } from './rule-plan.js';
import type { GroupInfo, SeriesRegistry } from './series-registry.js';
import { vmrangeLabel } from './vmrange.js';

const SUB = 1024;

export interface EmitContext {
  plan: RulePlan;
  registry: SeriesRegistry;
  kernel: StreamAggregator;
  series: SeriesIndex;
  /** Distinct values per group id for unique_samples (kept by the host, not the kernel). */
  unique: Map<number, Set<number>>;
}

/** Output batches of window ring `ring`, stamped `boundary`; `emit` false updates totals only. */
export function emitWindow(ctx: EmitContext, ring: number, boundary: number, emit: boolean): SampleBatch[] {
  const { plan, registry, kernel } = ctx;
  const G = kernel.groups();
  const builders = new Map<string, BatchBuilder>();
  const push = (info: GroupInfo, key: number, labels: () => Label[] | undefined, value: number) => {
    if (!emit) return;
    let ref = info.outRefs.get(key);
    if (ref === undefined) {
      const l = labels();
      if (l === undefined) return;
      ref = ctx.series.resolve(info.tenant, l);
      info.outRefs.set(key, ref);
    }
    const t = formatTenant(info.tenant);
    let b = builders.get(t);
    if (b === undefined) builders.set(t, (b = new BatchBuilder(info.tenant, 256)));
    b.push(ref, boundary, value);
  };
  for (let bg = 1; bg < registry.groupCount; bg++) {
    const info = registry.groups[bg];
    if (!info) continue;
    const g = bg * plan.rings + ring;
    const count = G.count[g]!;
    if (count > 0) info.lastActive = boundary;
    // A cumulative output is written while its group is fresh; its value is kept longer (until
    // the group expires), so a series returning after a gap continues it instead of restarting.
    const fresh = boundary - info.lastActive < plan.stalenessMs;
    plan.outputs.forEach((o, pos) => {
      const cumulative = CUMULATIVE.has(o.kind);
      if (cumulative) info.totals[pos]! += o.kind === 'total' ? G.incAll[g]! : o.kind === 'total_prometheus' ? G.incProm[g]! : count > 0 ? G.sum[g]! : 0;
      if (cumulative ? !fresh : count === 0) return;
      const name = (extra?: Label) => () => outputLabels(plan, info, o, extra);
      const one = (v: number) => push(info, pos * SUB, name(), v);
      switch (o.kind) {
        case 'total':
        case 'total_prometheus':
        case 'sum_samples_total':
          return one(info.totals[pos]!);
        case 'increase':
          return one(G.incAll[g]!);
        case 'increase_prometheus':
          return one(G.incProm[g]!);
        case 'rate_sum':
          return G.rateN[g]! > 0 ? one(G.rateSum[g]!) : undefined;
        case 'rate_avg':
          return G.rateN[g]! > 0 ? one(G.rateSum[g]! / G.rateN[g]!) : undefined;
        case 'count_samples':
          return one(count);
        case 'count_series':
          return one(G.seriesN[g]!);
        case 'unique_samples':
          return one(ctx.unique.get(g)?.size ?? 0);
        case 'sum_samples':
          return one(G.sum[g]!);
        case 'last':
          return one(G.last[g]!);
        case 'min':
          return one(G.min[g]!);
        case 'max':
          return one(G.max[g]!);
        case 'avg':
          return one(G.sum[g]! / count);
        case 'stdvar':
          return one(G.m2[g]! / count);
        case 'stddev':
          return one(Math.sqrt(G.m2[g]! / count));
        case 'quantiles': {
          const sorted = kernel.reservoir(g).sort();
          return o.phis!.forEach((phi, i) => push(info, pos * SUB + i, name({ name: 'quantile', value: String(phi) }), quantileOfSorted(sorted, phi)));
        }
        case 'histogram_bucket': {
          const h = kernel.histogram(g);
          if (!h) return;
          for (let i = 0; i < h.length; i++) if (h[i]! > 0) push(info, pos * SUB + i, name({ name: 'vmrange', value: vmrangeLabel(i) }), h[i]!);
          return;
        }
      }
    });
    ctx.unique.delete(g);
  }
  return [...builders.values()].map((b) => b.take());
}

function outputLabels(plan: RulePlan, info: GroupInfo, o: OutputSpec, extra?: Label): Label[] | undefined {
  const metric = metricName(info.labels);
  const labels = info.labels.filter((l) => l.name !== METRIC_NAME && l.name !== extra?.name);
  labels.push({ name: METRIC_NAME, value: outputName(metric, plan.infix, o, plan.config.keep_metric_names) });
  if (extra) labels.push(extra);
  sortLabels(labels);
  return plan.outputRelabel.empty ? labels : plan.outputRelabel.apply(labels);
}
