import { describe, expect, it } from 'vitest';
import { relabelConfigsSchema } from '../../host/relabel/config.js';
import { RelabelEngine, type RelabelOptions } from '../../host/relabel/engine.js';
import { labelsFromRecord, labelsToRecord } from '../../host/series/labels.js';

function relabel(rules: unknown[], input: Record<string, string>, opts?: RelabelOptions): Record<string, string> | undefined {
  const engine = new RelabelEngine(relabelConfigsSchema.parse(rules), opts);
  const out = engine.relabel(labelsFromRecord(input));
  return out && labelsToRecord(out);
}

const series = { __name__: 'http_requests_total', job: 'api', instance: 'web-1:9090', path: '/users' };

describe('Prometheus actions', () => {
  it('replace with all defaults copies nothing but sets target from the joined sources', () => {
    expect(relabel([{ source_labels: ['job', 'path'], target_label: 'key' }], series)).toEqual({ ...series, key: 'api;/users' });
  });

  it('replace writes capture groups into the target and leaves the series alone when the regex does not match', () => {
    const rule = { source_labels: ['instance'], regex: '([^:]+):\\d+', target_label: 'host', replacement: 'h-$1' };
    expect(relabel([rule], series)).toEqual({ ...series, host: 'h-web-1' });
    expect(relabel([rule], { ...series, instance: 'no-port' })).toEqual({ ...series, instance: 'no-port' });
  });

  it('replace regexes are anchored at both ends', () => {
    const rule = { source_labels: ['job'], regex: 'p', target_label: 'matched', replacement: 'yes' };
    expect(relabel([rule], series)).toEqual(series);
  });

  it('replace expands ${1}, named groups and templates in the target label', () => {
    const rule = { source_labels: ['path'], regex: '/(?P<first>[a-z]+)', target_label: 'seg_${1}', replacement: '${first}!$$' };
    expect(relabel([rule], series)).toEqual({ ...series, seg_users: 'users!$' });
  });

  it('replace reads $1x as group "1x", which expands to nothing, like Go', () => {
    const rule = { source_labels: ['job'], regex: '(.*)', target_label: 'x', replacement: '$1x-${1}x' };
    expect(relabel([rule], series)).toEqual({ ...series, x: '-apix' });
  });

  it('replace to an empty value removes the target label', () => {
    expect(relabel([{ source_labels: ['missing'], target_label: 'job' }], series)).toEqual({ __name__: 'http_requests_total', instance: 'web-1:9090', path: '/users' });
  });

  it('replace skips a target that expands to an invalid label name', () => {
    const rule = { source_labels: ['path'], regex: '(.*)', target_label: '$1', replacement: 'v' };
    expect(relabel([rule], series)).toEqual(series);
  });

  it('keep and drop decide on the joined source values', () => {
    expect(relabel([{ source_labels: ['job'], regex: 'api|db', action: 'keep' }], series)).toEqual(series);
    expect(relabel([{ source_labels: ['job'], regex: 'db', action: 'keep' }], series)).toBeUndefined();
    expect(relabel([{ source_labels: ['__name__'], regex: 'http_.*', action: 'drop' }], series)).toBeUndefined();
    expect(relabel([{ source_labels: ['__name__'], regex: 'go_.*', action: 'drop' }], series)).toEqual(series);
  });

  it('keepequal and dropequal compare the sources with the target label', () => {
    const s = { ...series, a: 'x', b: 'x' };
    expect(relabel([{ source_labels: ['a'], target_label: 'b', action: 'keepequal' }], s)).toEqual(s);
    expect(relabel([{ source_labels: ['a'], target_label: 'job', action: 'keepequal' }], s)).toBeUndefined();
    expect(relabel([{ source_labels: ['a'], target_label: 'b', action: 'dropequal' }], s)).toBeUndefined();
  });

  it('hashmod matches the value Prometheus computes for "baz" mod 1000', () => {
    expect(relabel([{ source_labels: ['c'], target_label: 'd', modulus: 1000, action: 'hashmod' }], { c: 'baz' })).toEqual({ c: 'baz', d: '976' });
  });

  it('hashmod with xxhash64 takes xxh64 of the value mod the modulus, as VictoriaMetrics does', () => {
    // xxh64("baz") = 0x42598cf26a247404; test/peers/relabel compares whole shard sets with VictoriaMetrics.
    const rule = [{ source_labels: ['c'], target_label: 'd', modulus: 1000, action: 'hashmod' }];
    expect(relabel(rule, { c: 'baz' }, { hashmod: 'xxhash64' })).toEqual({ c: 'baz', d: String(0x42598cf26a247404n % 1000n) });
  });

  it('labelmap copies matching labels under the expanded name and keeps the originals', () => {
    const s = { __name__: 'up', __meta_kubernetes_pod_label_app: 'web', __meta_kubernetes_pod_label_team: 'core' };
    expect(relabel([{ regex: '__meta_kubernetes_pod_label_(.+)', action: 'labelmap' }], s)).toEqual({ ...s, app: 'web', team: 'core' });
  });

  it('labeldrop and labelkeep filter label names', () => {
    expect(relabel([{ regex: 'path|instance', action: 'labeldrop' }], series)).toEqual({ __name__: 'http_requests_total', job: 'api' });
    expect(relabel([{ regex: '__name__|job', action: 'labelkeep' }], series)).toEqual({ __name__: 'http_requests_total', job: 'api' });
  });

  it('lowercase and uppercase write the case-mapped sources to the target', () => {
    const s = { __name__: 'm', v: 'MiXeD' };
    expect(relabel([{ source_labels: ['v'], target_label: 'lo', action: 'lowercase' }], s)).toEqual({ ...s, lo: 'mixed' });
    expect(relabel([{ source_labels: ['v'], target_label: 'v', action: 'Uppercase' }], s)).toEqual({ __name__: 'm', v: 'MIXED' });
  });

  it('a series whose labelmap produced an empty label name is dropped rather than sent on', () => {
    expect(relabel([{ regex: 'path', replacement: '$2', action: 'labelmap' }], series)).toBeUndefined();
  });

  it('a series left without labels is dropped', () => {
    expect(relabel([{ regex: '.*', action: 'labeldrop' }], series)).toBeUndefined();
  });

  it('rules apply in order and see what earlier rules wrote', () => {
    const rules = [
      { target_label: '__tmp_env', replacement: 'prod' },
      { source_labels: ['__tmp_env', 'job'], separator: '-', target_label: 'service' },
      { regex: '__tmp_.*', action: 'labeldrop' },
    ];
    expect(relabel(rules, series)).toEqual({ ...series, service: 'prod-api' });
  });

  it('internal labels survive metric relabeling and are removed only when asked (the scrape case)', () => {
    const rules = [{ target_label: '__tmp_x', replacement: '1' }];
    expect(relabel(rules, series)).toEqual({ ...series, __tmp_x: '1' });
    expect(relabel(rules, series, { dropInternalLabels: true })).toEqual(series);
  });
});

describe('VictoriaMetrics extensions', () => {
  it('replace_all replaces every unanchored match', () => {
    const rule = { source_labels: ['path'], regex: '/', target_label: 'path', replacement: '_', action: 'replace_all' };
    expect(relabel([rule], { ...series, path: '/a/b/c' })).toEqual({ ...series, path: '_a_b_c' });
  });

  it('labelmap_all renames labels by replacing every match in their names', () => {
    expect(relabel([{ regex: '-', replacement: '_', action: 'labelmap_all' }], { __name__: 'm', 'a-b-c': 'v' })).toEqual({ __name__: 'm', a_b_c: 'v' });
  });

  it('keep_if_equal and drop_if_equal compare all source values with each other', () => {
    const s = { __name__: 'm', a: '1', b: '1', c: '2' };
    expect(relabel([{ source_labels: ['a', 'b'], action: 'keep_if_equal' }], s)).toEqual(s);
    expect(relabel([{ source_labels: ['a', 'c'], action: 'keep_if_equal' }], s)).toBeUndefined();
    expect(relabel([{ source_labels: ['a', 'b'], action: 'drop_if_equal' }], s)).toBeUndefined();
  });

  it('keep_metrics and drop_metrics match the metric name', () => {
    expect(relabel([{ regex: ['go_.*', 'http_.*'], action: 'keep_metrics' }], series)).toEqual(series);
    expect(relabel([{ regex: 'http_requests_total', action: 'drop_metrics' }], series)).toBeUndefined();
  });

  it('an if selector limits a rule to the series it matches', () => {
    const rule = { if: '{job="api", path=~"/u.*"}', target_label: 'tier', replacement: 'front' };
    expect(relabel([rule], series)).toEqual({ ...series, tier: 'front' });
    expect(relabel([rule], { ...series, job: 'db' })).toEqual({ ...series, job: 'db' });
  });

  it('drop with only an if drops the selected series and keep with an if drops the rest', () => {
    expect(relabel([{ action: 'drop', if: 'http_requests_total{job="api"}' }], series)).toBeUndefined();
    expect(relabel([{ action: 'drop', if: 'http_requests_total{job="db"}' }], series)).toEqual(series);
    expect(relabel([{ action: 'keep', if: '{job="db"}' }], series)).toBeUndefined();
    expect(relabel([{ action: 'keep', if: ['{job="db"}', '{job="api"}'] }], series)).toEqual(series);
    expect(relabel([{ action: 'keep_metrics', regex: 'http_.*', if: '{job="db"}' }], series)).toBeUndefined();
    expect(relabel([{ action: 'keep_if_equal', source_labels: ['job', 'path'], if: '{job="db"}' }], series)).toEqual(series);
  });

  it('an if selector reads strings with Go escapes in double or single quotes and raw in backticks', () => {
    const s = { __name__: 'm', a: 'x"y', b: '12', c: 'é' };
    expect(relabel([{ action: 'drop', if: `{a="x\\"y", b=~\`\\d+\`, c='\\u00e9'}` }], s)).toBeUndefined();
    expect(relabel([{ action: 'drop', if: `{a="x\\"y", b=~\`\\d+\`, c='e'}` }], s)).toEqual(s);
  });

  it('an if selector accepts "or" between matcher groups', () => {
    const rule = { action: 'drop', if: '{job="db" or path="/users"}' };
    expect(relabel([rule], series)).toBeUndefined();
    expect(relabel([rule], { ...series, path: '/x' })).toEqual({ ...series, path: '/x' });
  });
});
