import type { MetricMetadata } from '../batch/sample-batch.js';
import type { Label } from '../series/labels.js';
import type { BatchCollector } from './batch-collector.js';
import type { SeriesKeyBuilder } from './series-key-builder.js';
import { parseExposition, type TextSample } from './text-parser.js';

export interface TextIngestOptions {
  /** OpenMetrics (timestamps in seconds, `# EOF`) rather than the Prometheus text format. */
  openMetrics: boolean;
  /** Labels added to every series, replacing a label of the same name. */
  extraLabels: Label[];
  /** Timestamp (ms) for samples without one. */
  defaultTs: number;
}

const encoder = new TextEncoder();

/**
 * Parses a text exposition body into `out`: each line's labels (plus the extra labels) are sorted
 * and written through the same key builder as remote_write, so both sources apply the same
 * label rules and limits. HELP/TYPE/UNIT lines become one metadata entry per family.
 */
export function ingestExposition(text: string, opts: TextIngestOptions, out: BatchCollector, keys: SeriesKeyBuilder): void {
  const families = new Map<string, MetricMetadata>();
  let scratch = new Uint8Array(1024);
  const sample = (s: TextSample): void => {
    const labels = merge(s.labels, opts.extraLabels);
    keys.reset(s.line);
    for (const l of labels) {
      const need = (l.name.length + l.value.length) * 3;
      if (need > scratch.length) scratch = new Uint8Array(need * 2);
      const n = encoder.encodeInto(l.name, scratch).written;
      const v = encoder.encodeInto(l.value, scratch.subarray(n)).written;
      keys.add(scratch, 0, n, n, v);
    }
    keys.finish();
    const ref = out.resolve(keys.key, keys.length);
    out.sample(ref, s.ts ?? opts.defaultTs, s.value);
    if (s.exemplar) out.exemplar({ ref, labels: s.exemplar.labels, value: s.exemplar.value, ts: s.exemplar.ts ?? s.ts ?? opts.defaultTs });
  };
  parseExposition(text, opts.openMetrics, {
    sample,
    metadata(m) {
      let f = families.get(m.name);
      if (!f) families.set(m.name, (f = { metricFamilyName: m.name, type: 'unknown', help: '', unit: '' }));
      if (m.kind === 'type') f.type = m.text === 'untyped' ? 'unknown' : m.text;
      else f[m.kind] = m.text;
    },
  });
  for (const f of families.values()) out.metadata(f);
}

function merge(labels: Label[], extra: Label[]): Label[] {
  const out = extra.length === 0 ? labels : labels.filter((l) => !extra.some((e) => e.name === l.name)).concat(extra.filter((e) => e.value !== ''));
  // UTF-16 order matches the UTF-8 byte order the key builder checks, except for names mixing
  // astral and high-BMP characters: those get a clear 400, never a wrong key.
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
