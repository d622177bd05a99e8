import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { relabelConfigsSchema } from '../../host/relabel/config.js';
import { validate } from '../../host/config/schema.js';

const root = z.strictObject({ relabel_configs: relabelConfigsSchema });

function issues(rules: unknown[]): { path: string; message: string }[] {
  const r = validate(root, { relabel_configs: rules }, 'processors.relabel/a');
  return r.ok ? [] : r.issues;
}

describe('relabel config validation', () => {
  it('applies the Prometheus defaults', () => {
    expect(relabelConfigsSchema.parse([{ target_label: 'x' }])[0]).toMatchObject({ separator: ';', regex: '(.*)', replacement: '$1', action: 'replace', source_labels: [] });
  });

  it('accepts a Prometheus metric_relabel_configs block unchanged from YAML', () => {
    const yaml = `
- source_labels: [__name__]
  regex: 'go_(gc|memstats)_.*'
  action: drop
- source_labels: [instance]
  regex: '(.+):\\d+'
  target_label: host
- source_labels: [code]
  regex: 200
  target_label: ok
  replacement: 1
- source_labels: [host]
  modulus: 8
  target_label: __tmp_shard
  action: hashmod
- regex: __tmp_.*
  action: labeldrop
`;
    expect(issues(parse(yaml) as unknown[])).toEqual([]);
  });

  it('reports replace without target_label at the field path', () => {
    expect(issues([{ action: 'keep', regex: 'x' }, { action: 'drop', regex: 'y' }, { source_labels: ['a'] }])).toEqual([
      { path: 'processors.relabel/a.relabel_configs[2].target_label', message: "relabel configuration for replace action requires 'target_label' value" },
    ]);
  });

  it('reports hashmod without modulus, unknown actions, bad regexes and bad selectors', () => {
    const found = issues([
      { source_labels: ['a'], target_label: 'b', action: 'hashmod' },
      { action: 'rewrite' },
      { source_labels: ['a'], regex: '(unclosed', action: 'keep' },
      { action: 'drop', if: '{job=}' },
    ]);
    expect(found.map((i) => i.path)).toEqual([
      'processors.relabel/a.relabel_configs[0].modulus',
      'processors.relabel/a.relabel_configs[1].action',
      'processors.relabel/a.relabel_configs[2].regex',
      'processors.relabel/a.relabel_configs[3].if',
    ]);
    expect(found[1]!.message).toContain('unknown relabel action "rewrite"');
  });

  it('refuses unknown keys and fields an action does not take', () => {
    const found = issues([
      { target_label: 'x', regexp: 'typo' },
      { source_labels: ['v'], target_label: 'v', replacement: 'x', action: 'lowercase' },
      { regex: 'a', target_label: 'b', action: 'labeldrop' },
      { source_labels: ['a'], action: 'keep_if_equal' },
      { target_label: 'bad-name', action: 'uppercase', source_labels: ['a'] },
    ]);
    expect(found.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'processors.relabel/a.relabel_configs[0]: unknown key "regexp"',
      "processors.relabel/a.relabel_configs[1].replacement: 'replacement' can not be set for lowercase action",
      "processors.relabel/a.relabel_configs[2].action: labeldrop action requires only 'regex', and no other fields",
      "processors.relabel/a.relabel_configs[3].source_labels: keep_if_equal action requires at least two 'source_labels'",
      `processors.relabel/a.relabel_configs[4].target_label: "bad-name" is invalid 'target_label' for uppercase action`,
    ]);
  });
});
