import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { labelsFromRecord, sortLabels } from '../../host/series/labels.js';
import { parseExposition, type TextMetadata, type TextSample } from '../../host/wire/text-parser.js';
import { TextWriter } from '../../host/wire/text-writer.js';

function parse(text: string): { samples: TextSample[]; meta: TextMetadata[] } {
  const samples: TextSample[] = [];
  const meta: TextMetadata[] = [];
  parseExposition(text, false, { sample: (s) => samples.push(s), metadata: (m) => meta.push(m) });
  return { samples, meta };
}

describe('TextWriter', () => {
  it('writes HELP and TYPE once per family, then the samples with timestamps', () => {
    const out = new TextWriter()
      .family('up', 'gauge', 'Whether the target\nanswered \\ or not.')
      .sample('up', labelsFromRecord({ __name__: 'up', job: 'a', instance: 'x:1' }), 1, 1700000000123)
      .sample('up', labelsFromRecord({ __name__: 'up', job: 'b' }), 0)
      .family('temp', 'untyped')
      .sample('temp', [], -1.5e-7, 5)
      .toString();
    expect(out).toBe(
      '# HELP up Whether the target\\nanswered \\\\ or not.\n' +
        '# TYPE up gauge\n' +
        'up{instance="x:1",job="a"} 1 1700000000123\n' +
        'up{job="b"} 0\n' +
        '# TYPE temp untyped\n' +
        'temp -1.5e-07 5\n',
    );
  });

  it('prints special values as Prometheus does', () => {
    const out = new TextWriter().sample('m', [], NaN).sample('m', [], Infinity).sample('m', [], -Infinity).sample('m', [], 1e6).toString();
    expect(out).toBe('m NaN\nm +Inf\nm -Inf\nm 1e+06\n');
  });

  it('reads back through the exposition parser with any label values and numbers', () => {
    const labelSet = fc.dictionary(fc.stringMatching(/^[a-z_][a-z0-9_]{0,6}$/), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }), { maxKeys: 4 });
    fc.assert(
      fc.property(fc.array(fc.tuple(labelSet, fc.double({ noNaN: true }), fc.integer({ min: 0, max: 2 ** 45 })), { minLength: 1, maxLength: 20 }), (rows) => {
        const w = new TextWriter().family('metric_x', 'untyped');
        for (const [l, v, t] of rows) w.sample('metric_x', labelsFromRecord(l), v, t);
        const { samples, meta } = parse(w.toString());
        expect(meta).toEqual([{ name: 'metric_x', kind: 'type', text: 'untyped' }]);
        expect(samples.map((s) => ({ labels: sortLabels(s.labels), value: s.value, ts: s.ts }))).toEqual(
          rows.map(([l, v, t]) => ({ labels: labelsFromRecord({ ...l, __name__: 'metric_x' }), value: v, ts: t })),
        );
      }),
    );
  });
});
