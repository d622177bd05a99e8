/**
 * input_relabel_configs and output_relabel_configs of a stream aggregation rule: the relabel
 * engine of host/relabel (every Prometheus action and VictoriaMetrics extension, `if:` selectors),
 * with vmagent's hashmod hash, since these rules come from vmagent configs.
 */
import type { Label } from '../series/labels.js';
import { RelabelEngine } from '../relabel/engine.js';
import type { RelabelConfig } from '../relabel/rule.js';

export { relabelConfigSchema } from '../relabel/config.js';
export type { RelabelConfig };

/** Compiled relabel rules: apply() returns the new label set, or undefined when dropped. */
export class Relabeler {
  readonly #engine: RelabelEngine;

  constructor(configs: readonly RelabelConfig[]) {
    this.#engine = new RelabelEngine(configs, { hashmod: 'xxhash64' });
  }

  get empty(): boolean {
    return this.#engine.size === 0;
  }

  apply(input: readonly Label[]): Label[] | undefined {
    return this.#engine.relabel(input);
  }
}
