import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validate } from '../../../host/config/schema.js';
import { ConfigError } from '../../../host/errors.js';
import { streamAggrSchema } from '../../../plugins/stream-aggr/config.js';
import { loadStreamAggrConfig, streamAggrConfigFromFlags } from '../../../plugins/stream-aggr/index.js';

function issues(rule: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const r = validate(streamAggrSchema, { rules: [{ interval: '1m', outputs: ['total'], ...rule }], ...extra }, 'processors.stream_aggr/a');
  return r.ok ? [] : r.issues;
}

describe('stream_aggr config validation (as vmagent validates)', () => {
  it('accepts a vmagent rule with every key unchanged', () => {
    const rule = {
      name: 'foobar', match: ['http_request_duration_seconds_bucket{env=~"prod|staging"}', '{__name__="x"}'], interval: '1m',
      dedup_interval: '30s', staleness_interval: '2m', ignore_first_sample_interval: '2m', no_align_flush_to_interval: false,
      flush_on_shutdown: false, without: ['instance'], outputs: ['total', 'quantiles(0.5, 0.99)'], keep_metric_names: false,
      ignore_old_samples: false, ignore_first_intervals: 1, drop_input_labels: ['replica'],
      input_relabel_configs: [{ target_label: 'vmaggr', replacement: 'before' }], output_relabel_configs: [{ target_label: 'vmaggr', replacement: 'after' }],
      enable_windows: false,
    };
    expect(issues(rule)).toEqual([]);
  });

  it.each([
    [{ by: ['a'], without: ['b'] }, 'processors.stream_aggr/a.rules[0].by', 'by and without cannot be set together'],
    [{ interval: '500ms' }, 'processors.stream_aggr/a.rules[0].interval', 'interval cannot be smaller than 1s'],
    [{ dedup_interval: '25s' }, 'processors.stream_aggr/a.rules[0].dedup_interval', 'must be a multiple of dedup_interval'],
    [{ staleness_interval: '30s' }, 'processors.stream_aggr/a.rules[0].staleness_interval', 'cannot be smaller than interval'],
    [{ outputs: ['total', 'avgg'] }, 'processors.stream_aggr/a.rules[0].outputs[1]', 'unsupported output "avgg"'],
    [{ outputs: ['max', 'max'] }, 'processors.stream_aggr/a.rules[0].outputs[1]', 'duplicate output "max"'],
    [{ outputs: ['quantiles(0.5)', 'quantiles(0.9)'] }, 'processors.stream_aggr/a.rules[0].outputs[1]', 'quantiles(...) may be given only once'],
    [{ outputs: ['quantiles(0.5, 1.5)'] }, 'processors.stream_aggr/a.rules[0].outputs[0]', 'must be in the range [0..1]'],
    [{ outputs: ['min', 'max'], keep_metric_names: true }, 'processors.stream_aggr/a.rules[0].keep_metric_names', 'requires a single output'],
    [{ match: 'foo{bar=}' }, 'processors.stream_aggr/a.rules[0].match', 'expected a quoted string'],
    [{ unknown_key: 1 }, 'processors.stream_aggr/a.rules[0]', 'unknown key "unknown_key"'],
    [{ allowed_lateness: '1m' }, 'processors.stream_aggr/a.rules[0].allowed_lateness', 'only with event_time'],
  ])('rejects %j at its config path', (rule, path, message) => {
    const found = issues(rule);
    expect(found.map((i) => i.path)).toContain(path);
    expect(found.find((i) => i.path === path)!.message).toContain(message);
  });

  it('rejects keep_metric_names together with keep_input', () => {
    const found = issues({ outputs: ['max'], keep_metric_names: true }, { keep_input: true });
    expect(found).toEqual([{ path: 'processors.stream_aggr/a.rules[0].keep_metric_names', message: expect.stringContaining('keep_input') }]);
  });
});

describe('vmagent stream aggregation files and flags', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-sa-'));

  it('loads a -streamAggr.config file with %{ENV} placeholders', () => {
    const file = join(dir, 'ok.yaml');
    writeFileSync(file, "- match: '{__name__=~\"%{METRIC}\"}'\n  interval: 1m\n  by: [job]\n  outputs: [sum_samples]\n");
    const rules = loadStreamAggrConfig(file, { METRIC: 'foo|bar' });
    expect(rules[0]!.match).toBe('{__name__=~"foo|bar"}');
  });

  it('reports every problem of a file with its path inside the file', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, '- interval: 1m\n  outputs: [total]\n- interval: 10ms\n  outputs: [nope]\n');
    let err: unknown;
    try {
      loadStreamAggrConfig(file, {});
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).issues.map((i) => i.path)).toEqual([`${file}[1].interval`, `${file}[1].outputs[0]`]);
  });

  it('turns the vmagent-style flags into the processor config, which validates', () => {
    const file = join(dir, 'ok.yaml');
    const config = streamAggrConfigFromFlags({ config: file, keepInput: true, dedupInterval: '30s' });
    expect(config).toEqual({ config_file: file, keep_input: true, drop_input: false, dedup_interval: '30s' });
    process.env.METRIC = 'foo';
    const r = validate(streamAggrSchema, config, 'stream_aggr/flags');
    expect(r.ok && r.value.rules.length).toBe(1);
    expect(streamAggrConfigFromFlags({})).toBeUndefined();
  });
});
