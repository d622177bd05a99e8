import { sortLabels, type Label, type Labels } from '../series/labels.js';
import { compileRule, type AppliedRule, type HashmodHash, type LabelBuilder } from './apply-rule.js';
import type { RelabelConfig } from './rule.js';

export interface RelabelOptions {
  /**
   * Remove labels starting with `__` (but not `__name__`) after the rules ran: what Prometheus
   * does to scrape targets, so `__tmp*` and `__meta_*` never reach storage. Metric relabeling
   * (the relabel processor) keeps them, as Prometheus and vmagent do.
   */
  dropInternalLabels?: boolean;
  /** The hash of `hashmod`: md5 (Prometheus, the default) or xxhash64 (VictoriaMetrics, vmagent). */
  hashmod?: HashmodHash;
}

/**
 * A compiled `relabel_configs` list. `relabel()` is per series, not per sample: callers cache its
 * result by series ref (see RefRelabeler), so the regexes run once for each new series.
 */
export class RelabelEngine {
  readonly #configs: readonly RelabelConfig[];
  readonly #rules: AppliedRule[];
  readonly #dropInternal: boolean;

  /** Rules must come from relabelConfigsSchema (validated); compiling does not validate again. */
  constructor(rules: readonly RelabelConfig[], opts: RelabelOptions = {}) {
    this.#configs = rules;
    this.#rules = rules.map((r) => compileRule(r, opts.hashmod));
    this.#dropInternal = opts.dropInternalLabels ?? false;
  }

  get size(): number {
    return this.#rules.length;
  }

  /**
   * The relabeled label set, sorted by name, or undefined when a rule dropped the series, no label
   * is left, or a label got an empty name. Labels with an empty value are removed, as Prometheus does.
   */
  relabel(labels: Labels): Label[] | undefined {
    const lb = builder(labels);
    for (const rule of this.#rules) if (!rule(lb)) return undefined;
    return this.#finish(lb);
  }

  /**
   * What each rule did to a series, for debugging a config (the relabel processor serves it over
   * HTTP, like vmagent's relabel debug page). `labels` is undefined from the rule that dropped it.
   */
  trace(labels: Labels): { steps: RelabelStep[]; output: Label[] | undefined } {
    const lb = builder(labels);
    const steps: RelabelStep[] = [];
    for (let i = 0; i < this.#rules.length; i++) {
      const kept = this.#rules[i]!(lb);
      steps.push({ rule: i, action: this.#configs[i]!.action, labels: kept ? sortLabels([...lb].map(([name, value]) => ({ name, value }))) : undefined });
      if (!kept) return { steps, output: undefined };
    }
    return { steps, output: this.#finish(lb) };
  }

  #finish(lb: LabelBuilder): Label[] | undefined {
    const out: Label[] = [];
    for (const [name, value] of lb) {
      if (value === '') continue;
      // A labelmap whose replacement expands to "" names a label "": Prometheus then refuses to
      // store the sample, and a remote_write receiver would refuse the whole request. Drop it here.
      if (name === '') return undefined;
      if (this.#dropInternal && name.startsWith('__') && name !== '__name__') continue;
      out.push({ name, value });
    }
    return out.length === 0 ? undefined : sortLabels(out);
  }
}

/** One rule's effect in a trace. */
export interface RelabelStep {
  rule: number;
  action: string;
  labels: Label[] | undefined;
}

function builder(labels: Labels): LabelBuilder {
  const lb: LabelBuilder = new Map();
  for (const l of labels) if (l.value !== '') lb.set(l.name, l.value);
  return lb;
}
