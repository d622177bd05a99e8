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
import { CUMULATIVE, outputName, type OutputSpec } from './outputs.js';
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
  const out = new Emitter(ctx, boundary, emit);
  const outputs = plan.outputs;
  for (let bg = 1; bg < registry.groupCount; bg++) {
    const info = registry.groups[bg];
    if (!info) continue;
    const g = bg * plan.rings + ring;
    const count = G.count[g]!;
    if (count > 0) info.lastActive = boundary;
    // A cumulative output is written while its group is fresh; its value is kept longer (until
    // the group expires), so a series returning after a gap continues it instead of restarting.
    const fresh = boundary - info.lastActive < plan.stalenessMs;
    for (let pos = 0; pos < outputs.length; pos++) {
      const o = outputs[pos]!;
      const key = pos * SUB;
      if (CUMULATIVE.has(o.kind)) {
        info.totals[pos]! += o.kind === 'total' ? G.incAll[g]! : o.kind === 'total_prometheus' ? G.incProm[g]! : count > 0 ? G.sum[g]! : 0;
        if (fresh) out.push(info, o, key, info.totals[pos]!);
        continue;
      }
      if (count === 0) continue;
      switch (o.kind) {
        case 'increase':
          out.push(info, o, key, G.incAll[g]!);
          break;
        case 'increase_prometheus':
          out.push(info, o, key, G.incProm[g]!);
          break;
        case 'rate_sum':
          if (G.rateN[g]! > 0) out.push(info, o, key, G.rateSum[g]!);
          break;
        case 'rate_avg':
          if (G.rateN[g]! > 0) out.push(info, o, key, G.rateSum[g]! / G.rateN[g]!);
          break;
        case 'count_samples':
          out.push(info, o, key, count);
          break;
        case 'count_series':
          out.push(info, o, key, G.seriesN[g]!);
          break;
        case 'unique_samples':
          out.push(info, o, key, ctx.unique.get(g)?.size ?? 0);
          break;
        case 'sum_samples':
          out.push(info, o, key, G.sum[g]!);
          break;
        case 'last':
          out.push(info, o, key, G.last[g]!);
          break;
        case 'min':
          out.push(info, o, key, G.min[g]!);
          break;
        case 'max':
          out.push(info, o, key, G.max[g]!);
          break;
        case 'avg':
          out.push(info, o, key, G.sum[g]! / count);
          break;
        case 'stdvar':
          out.push(info, o, key, G.m2[g]! / count);
          break;
        case 'stddev':
          out.push(info, o, key, Math.sqrt(G.m2[g]! / count));
          break;
        case 'quantiles': {
          if (!emit) break;
          const phis = o.phis!;
          for (let i = 0; i < phis.length; i++) out.push(info, o, key + i, kernel.quantile(g, phis[i]!), { name: 'quantile', value: String(phis[i]) });
          break;
        }
        case 'histogram_bucket': {
          const h = emit ? kernel.histogram(g) : undefined;
          if (h) for (let i = 0; i < h.length; i++) if (h[i]! > 0) out.push(info, o, key + i, h[i]!, { name: 'vmrange', value: vmrangeLabel(i) });
          break;
        }
      }
    }
    if (ctx.unique.size > 0) ctx.unique.delete(g);
  }
  return out.take();
}

/** Collects output rows per tenant; resolves and caches each output series' ref on first use. */
class Emitter {
  #ctx: EmitContext;
  #boundary: number;
  #emit: boolean;
  #builders = new Map<string, BatchBuilder>();
  #lastTenant: GroupInfo['tenant'] | undefined;
  #last: BatchBuilder | undefined;

  constructor(ctx: EmitContext, boundary: number, emit: boolean) {
    this.#ctx = ctx;
    this.#boundary = boundary;
    this.#emit = emit;
  }

  push(info: GroupInfo, o: OutputSpec, key: number, value: number, extra?: Label): void {
    if (!this.#emit) return;
    let ref = info.outRefs.get(key);
    if (ref === undefined) {
      const labels = outputLabels(this.#ctx.plan, info, o, extra);
      if (labels === undefined) return; // dropped by output_relabel_configs
      ref = this.#ctx.series.resolve(info.tenant, labels);
      info.outRefs.set(key, ref);
    }
    this.#builder(info.tenant).push(ref, this.#boundary, value);
  }

  #builder(tenant: GroupInfo['tenant']): BatchBuilder {
    if (tenant === this.#lastTenant) return this.#last!;
    const t = formatTenant(tenant);
    let b = this.#builders.get(t);
    if (b === undefined) this.#builders.set(t, (b = new BatchBuilder(tenant, 1024)));
    this.#lastTenant = tenant;
    this.#last = b;
    return b;
  }

  take(): SampleBatch[] {
    return [...this.#builders.values()].map((b) => b.take());
  }
}

function outputLabels(plan: RulePlan, info: GroupInfo, o: OutputSpec, extra?: Label): Label[] | undefined {
  const metric = metricName(info.labels);
  const labels = info.labels.filter((l) => l.name !== METRIC_NAME && l.name !== extra?.name);
  labels.push({ name: METRIC_NAME, value: outputName(metric, plan.infix, o, plan.config.keep_metric_names) });
  if (extra) labels.push(extra);
  sortLabels(labels);
  return plan.outputRelabel.empty ? labels : plan.outputRelabel.apply(labels);
}
