import { relabelConfigsSchema } from '../../../host/relabel/config.js';
import { RelabelEngine, type RelabelOptions } from '../../../host/relabel/engine.js';
import { formatSeries, labelsFromRecord } from '../../../host/series/labels.js';

/**
 * The series both a peer and Sluice relabel: names the rules keep, drop and rename, host:port
 * values, mixed case, status codes, labels equal and unequal, labels to map and to drop.
 */
export function peerInputSeries(opts: { dashedNames?: boolean } = {}): Record<string, string>[] {
  const names = ['http_requests_total', 'go_gc_duration_seconds', 'process_open_fds', 'node_load1', 'App_Events_Total'];
  const out: Record<string, string>[] = [];
  for (let i = 0; i < 60; i++) {
    const s: Record<string, string> = {
      __name__: names[i % names.length]!,
      addr: i % 7 === 0 ? 'no-port' : `10.0.${i % 3}.${i}:${9100 + (i % 4)}`,
      method: ['GET', 'Post', 'delete'][i % 3]!,
      status: String([200, 404, 503, 301][i % 4]),
      x: `v${i % 5}`,
      y: i % 2 === 0 ? `v${i % 5}` : 'other',
      label_team: `team-${i % 4}`,
      path: `/api/items-${i % 6}/detail`,
      seq: String(i),
    };
    if (i % 5 === 0) s.temp = 'remove-me';
    // VictoriaMetrics accepts any label name (labelmap_all fixes them); Prometheus' text parser does not.
    if (opts.dashedNames && i % 9 === 0) s['label_app-name'] = 'svc';
    out.push(s);
  }
  return out;
}

/** The series as Prometheus text exposition lines (value 1, optional timestamp in ms). */
export function exposition(series: Record<string, string>[], ts?: number): string {
  return series
    .map((s) => {
      const { __name__: name, ...rest } = s;
      const labels = Object.entries(rest).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
      return `${name}{${labels.join(',')}} 1${ts === undefined ? '' : ` ${ts}`}`;
    })
    .join('\n')
    .concat('\n');
}

/** What Sluice's engine makes of the series, as sorted `name{labels}` strings. */
export function sluiceOutput(rules: unknown[], series: Record<string, string>[], opts: RelabelOptions = {}): string[] {
  const engine = new RelabelEngine(relabelConfigsSchema.parse(rules), opts);
  const out = new Set<string>();
  for (const s of series) {
    const labels = engine.relabel(labelsFromRecord(s));
    if (labels) out.add(formatSeries(labels));
  }
  return [...out].sort();
}

/** Peer answers (label records) in the same form. */
export function formatRecords(records: Record<string, string>[]): string[] {
  return [...new Set(records.map((r) => formatSeries(labelsFromRecord(r))))].sort();
}
