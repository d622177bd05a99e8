import { formatNumber } from '../promql/numbers.js';
import { METRIC_NAME, type Labels } from '../series/labels.js';

/**
 * Writes the Prometheus text exposition format (0.0.4), as /federate and /metrics serve it:
 * `# HELP` and `# TYPE` once per family, then `name{label="value",...} value [timestamp_ms]`.
 * Values print like Go's shortest float form (what Prometheus writes), so a scrape of Sluice and
 * a scrape of Prometheus read the same.
 */
export class TextWriter {
  #chunks: string[] = [];

  /** Starts a metric family. Families must not be split: write all of a name's samples after it. */
  family(name: string, type: string, help?: string): this {
    if (help !== undefined && help !== '') this.#chunks.push(`# HELP ${name} ${escapeHelp(help)}\n`);
    this.#chunks.push(`# TYPE ${name} ${type}\n`);
    return this;
  }

  /** One sample line; `labels` may include `__name__`, which is skipped (the name comes first). */
  sample(name: string, labels: Labels, value: number, timestampMs?: number): this {
    let line = name;
    let first = true;
    for (const l of labels) {
      if (l.name === METRIC_NAME) continue;
      line += `${first ? '{' : ','}${l.name}="${escapeLabelValue(l.value)}"`;
      first = false;
    }
    if (!first) line += '}';
    line += ` ${formatValue(value)}`;
    if (timestampMs !== undefined) line += ` ${Math.trunc(timestampMs)}`;
    this.#chunks.push(`${line}\n`);
    return this;
  }

  toString(): string {
    return this.#chunks.join('');
  }
}

/** A sample value as Prometheus prints it: `NaN`, `+Inf`, `-Inf`, or Go's shortest float form. */
export function formatValue(v: number): string {
  return formatNumber(v);
}

/** Label values escape backslash, double quote and newline. */
export function escapeLabelValue(s: string): string {
  return /[\\"\n]/.test(s) ? s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : s;
}

/** HELP text escapes backslash and newline only. */
export function escapeHelp(s: string): string {
  return /[\\\n]/.test(s) ? s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n') : s;
}
