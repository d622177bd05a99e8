/** Every action Prometheus knows, plus the VictoriaMetrics extensions users rely on. */
export const RELABEL_ACTIONS = [
  'replace',
  'keep',
  'drop',
  'keepequal',
  'dropequal',
  'hashmod',
  'labelmap',
  'labeldrop',
  'labelkeep',
  'lowercase',
  'uppercase',
  'replace_all',
  'labelmap_all',
  'keep_if_equal',
  'drop_if_equal',
  'keep_metrics',
  'drop_metrics',
] as const;

export type RelabelAction = (typeof RELABEL_ACTIONS)[number];

/** Prometheus's defaults, which also decide whether a field counts as "set" in validation. */
export const RELABEL_DEFAULTS = { separator: ';', regex: '(.*)', replacement: '$1', action: 'replace' } as const;

/** One rule after defaults: the shape the engine compiles. */
export interface RelabelConfig {
  source_labels: string[];
  separator: string;
  target_label?: string | undefined;
  /** The pattern as written (a VictoriaMetrics list is joined with `|`); anchored when compiled. */
  regex: string;
  modulus?: number | undefined;
  replacement: string;
  action: RelabelAction;
  /** `if:` series selectors; the rule applies to a series matching any of them. */
  if?: string[] | undefined;
}
