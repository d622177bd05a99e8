import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface MetricOptions {
  /** Full name, starting with `sluice_`. */
  name: string;
  help: string;
  labelNames?: string[];
  buckets?: number[];
}

/** Counters, gauges and histograms a plugin records; each carries a `component` label. */
export interface PluginMetrics {
  counter(opts: MetricOptions): LabelledCounter;
  gauge(opts: MetricOptions): LabelledGauge;
  histogram(opts: MetricOptions): LabelledHistogram;
}

export interface LabelledCounter {
  inc(labels?: Record<string, string>, value?: number): void;
}
export interface LabelledGauge {
  set(labels: Record<string, string> | undefined, value: number): void;
  inc(labels?: Record<string, string>, value?: number): void;
}
export interface LabelledHistogram {
  observe(labels: Record<string, string> | undefined, value: number): void;
}

/**
 * A component's view of the registry. Metric families are shared by every generation of every
 * component (a hot swap must not re-register a name); each view adds its own `component` label.
 */
export function pluginMetrics(registry: Registry, component: string): PluginMetrics {
  const family = <T>(opts: MetricOptions, make: (labelNames: string[]) => T): T => {
    if (!opts.name.startsWith('sluice_')) throw new RangeError(`metric ${opts.name} must start with sluice_`);
    const existing = registry.getSingleMetric(opts.name);
    return (existing as T | undefined) ?? make(['component', ...(opts.labelNames ?? [])]);
  };
  return {
    counter(opts) {
      const c = family(opts, (labelNames) => new Counter({ name: opts.name, help: opts.help, labelNames, registers: [registry] }));
      return { inc: (labels, value = 1) => c.inc({ ...labels, component }, value) };
    },
    gauge(opts) {
      const g = family(opts, (labelNames) => new Gauge({ name: opts.name, help: opts.help, labelNames, registers: [registry] }));
      return {
        set: (labels, value) => g.set({ ...labels, component }, value),
        inc: (labels, value = 1) => g.inc({ ...labels, component }, value),
      };
    },
    histogram(opts) {
      const h = family(
        opts,
        (labelNames) => new Histogram({ name: opts.name, help: opts.help, labelNames, registers: [registry], ...(opts.buckets ? { buckets: opts.buckets } : {}) }),
      );
      return { observe: (labels, value) => h.observe({ ...labels, component }, value) };
    },
  };
}
