import type { Label } from '../../host/series/labels.js';
import { randomInt, seededRandom } from './random.js';

/** How a series' value moves from one scrape to the next. */
export type SeriesKind = 'counter' | 'gauge' | 'histogram';

/** One generated series: sorted labels (with `__name__`) and what drives its values. */
export interface GeneratedSeries {
  /** Sorted by name, as the remote_write spec requires; includes `__name__`. */
  labels: Label[];
  kind: SeriesKind;
  /** Metric family name without _bucket/_sum/_count, for remote_write v2 metadata. */
  family: string;
  /**
   * Series of one histogram share a group id so their values move together (buckets stay
   * cumulative in `le`, `_count` equals the `+Inf` bucket); -1 for a standalone series.
   */
  group: number;
  /** For a bucket: the fraction of observations at or below its `le`; 1 for `_count`. */
  share: number;
}

const NAMESPACES = ['default', 'payments', 'checkout', 'search', 'auth', 'catalog', 'shipping', 'billing', 'ads', 'media', 'ml', 'platform'];
const APPS = ['api-gateway', 'cart', 'checkout', 'payment', 'user', 'search', 'recommendation', 'inventory', 'shipping', 'email', 'frontend', 'ad', 'currency', 'quote', 'fraud-detection', 'accounting'];
const PATHS = ['/', '/api/v1/items', '/api/v1/items/:id', '/api/v1/cart', '/api/v1/checkout', '/api/v1/users/:id', '/healthz', '/metrics'];
const METHODS = ['GET', 'POST'];
const CODES = ['200', '404', '500'];
/** Upper bounds of http_request_duration_seconds, the client libraries' default buckets. */
const BUCKETS = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf'];

/**
 * Builds `count` series shaped like what Prometheus scrapes from Kubernetes services: per pod,
 * request counters by method/path/code, request-duration histograms by method/path (12 buckets,
 * _sum, _count) and a few process gauges; about 290 series per pod and 10 labels per series
 * (`__name__`, cluster, namespace, job, pod, instance, container, method, path, code or le).
 */
export function generateSeries(count: number, seed = 1): GeneratedSeries[] {
  const rand = seededRandom(seed);
  const out: GeneratedSeries[] = [];
  let group = 0;
  for (let p = 0; out.length < count; p++) {
    const app = APPS[p % APPS.length]!;
    const target: [string, string][] = [
      ['cluster', `prod-${['eu', 'us', 'ap'][p % 3]}`],
      ['container', app],
      ['instance', `10.${(p >> 16) & 255}.${(p >> 8) & 255}.${p & 255}:8080`],
      ['job', `kubernetes-pods/${app}`],
      // A deployment lives in one namespace, so dropping pod and instance really rolls series up.
      ['namespace', NAMESPACES[(p % APPS.length) % NAMESPACES.length]!],
      ['pod', `${app}-${(randomInt(rand, 0xfffffff) + 0x1000000).toString(16)}-${p.toString(36)}`],
    ];
    const push = (name: string, extra: [string, string][], kind: SeriesKind, family: string, g: number, share: number) => {
      if (out.length >= count) return;
      const pairs: [string, string][] = [['__name__', name], ...target, ...extra];
      pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      const labels = pairs.map(([n, v]) => ({ name: n, value: v }));
      out.push({ labels, kind, family, group: g, share });
    };
    for (const path of PATHS) {
      for (const method of METHODS) {
        for (const code of CODES) push('http_requests_total', [['method', method], ['path', path], ['code', code]], 'counter', 'http_requests_total', -1, 1);
        const g = group++;
        BUCKETS.forEach((le, i) => {
          // A skewed latency distribution: most requests land in the low buckets.
          const share = le === '+Inf' ? 1 : 1 - Math.exp(-(i + 1) / 3);
          push('http_request_duration_seconds_bucket', [['method', method], ['path', path], ['le', le]], 'histogram', 'http_request_duration_seconds', g, share);
        });
        push('http_request_duration_seconds_sum', [['method', method], ['path', path]], 'histogram', 'http_request_duration_seconds', g, -1);
        push('http_request_duration_seconds_count', [['method', method], ['path', path]], 'histogram', 'http_request_duration_seconds', g, 1);
      }
    }
    push('process_resident_memory_bytes', [], 'gauge', 'process_resident_memory_bytes', -1, 1);
    push('process_cpu_seconds_total', [], 'counter', 'process_cpu_seconds_total', -1, 1);
    push('go_goroutines', [], 'gauge', 'go_goroutines', -1, 1);
  }
  return out;
}
