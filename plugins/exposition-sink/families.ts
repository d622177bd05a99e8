import type { MetricMetadata } from '../../host/batch/sample-batch.js';

/** Types the text format 0.0.4 knows; the rest of remote_write's types are written as untyped. */
const TEXT_TYPES = new Set(['counter', 'gauge', 'histogram', 'summary']);
const COMPOSITE_SUFFIXES = ['_bucket', '_sum', '_count', '_created'];
/** Families are few; the bound only guards against a sender inventing names without end. */
const MAX_FAMILIES = 100_000;

export interface Family {
  /** The name in the `# TYPE` line, under which the series are grouped. */
  name: string;
  type: string;
  help?: string;
}

/**
 * Metadata that arrived with the samples (remote_write metadata side columns), so /federate can
 * write real HELP and TYPE lines and group a histogram's `_bucket`, `_sum` and `_count` series
 * under their family, as the exporter did. Without metadata a series is its own untyped family,
 * as Prometheus's /federate writes it.
 */
export class FamilyMetadata {
  #byName = new Map<string, MetricMetadata>();

  record(metadata: readonly MetricMetadata[]): void {
    for (const m of metadata) {
      if (this.#byName.size >= MAX_FAMILIES && !this.#byName.has(m.metricFamilyName)) continue;
      this.#byName.set(m.metricFamilyName, m);
    }
  }

  familyOf(metric: string): Family {
    const own = this.#byName.get(metric);
    if (own) return describe(metric, own);
    for (const suffix of COMPOSITE_SUFFIXES) {
      if (!metric.endsWith(suffix)) continue;
      const base = metric.slice(0, -suffix.length);
      const m = this.#byName.get(base);
      if (m && (m.type === 'histogram' || m.type === 'summary')) return describe(base, m);
    }
    // OpenMetrics names a counter family without `_total`; the text format names it with.
    if (metric.endsWith('_total')) {
      const m = this.#byName.get(metric.slice(0, -'_total'.length));
      if (m?.type === 'counter') return describe(metric, m);
    }
    return { name: metric, type: 'untyped' };
  }
}

function describe(name: string, m: MetricMetadata): Family {
  return { name, type: TEXT_TYPES.has(m.type) ? m.type : 'untyped', ...(m.help ? { help: m.help } : {}) };
}
