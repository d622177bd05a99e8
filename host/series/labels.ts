/** One label pair. A label set is sorted by name, names unique, `__name__` included. */
export interface Label {
  readonly name: string;
  readonly value: string;
}

export type Labels = readonly Label[];

export const METRIC_NAME = '__name__';

/** Sorts by name, in place, and returns the array. */
export function sortLabels(labels: Label[]): Label[] {
  return labels.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function labelsFromRecord(rec: Record<string, string>): Label[] {
  return sortLabels(Object.entries(rec).map(([name, value]) => ({ name, value })));
}

export function labelsToRecord(labels: Labels): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of labels) out[l.name] = l.value;
  return out;
}

export function getLabel(labels: Labels, name: string): string | undefined {
  for (const l of labels) if (l.name === name) return l.value;
  return undefined;
}

export function metricName(labels: Labels): string {
  return getLabel(labels, METRIC_NAME) ?? '';
}

/** `name{a="x",b="y"}` as Prometheus prints series, for messages and debugging. */
export function formatSeries(labels: Labels): string {
  const name = metricName(labels);
  const rest = labels.filter((l) => l.name !== METRIC_NAME).map((l) => `${l.name}=${JSON.stringify(l.value)}`);
  return `${name}{${rest.join(',')}}`;
}

const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Why a label set is invalid for remote_write, or undefined when it is valid: names sorted and
 * unique, none empty, values not empty (an empty value means the label is absent).
 */
export function labelSetProblem(labels: Labels, opts: { utf8Names?: boolean } = {}): string | undefined {
  let prev = '';
  for (let i = 0; i < labels.length; i++) {
    const { name, value } = labels[i]!;
    if (name === '') return 'empty label name';
    if (!opts.utf8Names && name !== METRIC_NAME && !LABEL_NAME_RE.test(name)) return `invalid label name ${JSON.stringify(name)}`;
    if (i > 0 && name === prev) return `duplicate label name ${JSON.stringify(name)}`;
    if (i > 0 && name < prev) return `labels not sorted: ${JSON.stringify(name)} after ${JSON.stringify(prev)}`;
    if (value === '') return `empty value for label ${JSON.stringify(name)}`;
    prev = name;
  }
  return undefined;
}
