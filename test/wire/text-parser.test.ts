import { describe, expect, it } from 'vitest';
import { parseExposition, type TextMetadata, type TextSample } from '../../host/wire/text-parser.js';
import { WireError } from '../../host/wire/wire-error.js';

function parse(text: string, openMetrics = false): { samples: TextSample[]; meta: TextMetadata[] } {
  const samples: TextSample[] = [];
  const meta: TextMetadata[] = [];
  parseExposition(text, openMetrics, { sample: (s) => samples.push(s), metadata: (m) => meta.push(m) });
  return { samples, meta };
}

function refusal(text: string, openMetrics = false): string {
  try {
    parse(text, openMetrics);
  } catch (err) {
    expect(err).toBeInstanceOf(WireError);
    return (err as Error).message;
  }
  throw new Error('expected the text to be refused');
}

const flat = (s: TextSample) => Object.fromEntries(s.labels.map((l) => [l.name, l.value]));

describe('text exposition parser', () => {
  it('reads samples with labels, timestamps and comments, skipping blank lines', () => {
    const { samples, meta } = parse(
      [
        '# HELP http_requests_total The total number of HTTP requests.',
        '# TYPE http_requests_total counter',
        'http_requests_total{method="post",code="200"} 1027 1395066363000',
        '',
        '# a free comment',
        'http_requests_total{method="post",code="400"}    3 1395066363000',
        'metric_without_timestamp_and_labels 12.47',
      ].join('\n'),
    );
    expect(samples.map((s) => [flat(s), s.value, s.ts, s.line])).toEqual([
      [{ method: 'post', code: '200', __name__: 'http_requests_total' }, 1027, 1395066363000, 3],
      [{ method: 'post', code: '400', __name__: 'http_requests_total' }, 3, 1395066363000, 6],
      [{ __name__: 'metric_without_timestamp_and_labels' }, 12.47, undefined, 7],
    ]);
    expect(meta).toEqual([
      { name: 'http_requests_total', kind: 'help', text: 'The total number of HTTP requests.' },
      { name: 'http_requests_total', kind: 'type', text: 'counter' },
    ]);
  });

  it('unescapes backslash, quote and newline in label values and HELP text', () => {
    const { samples, meta } = parse('# HELP m A \\\\ path\\nsecond line\nmsdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9');
    expect(flat(samples[0]!)).toMatchObject({ path: 'C:\\DIR\\FILE.TXT', error: 'Cannot find file:\n"FILE.TXT"' });
    expect(samples[0]!.value).toBe(1.458255915e9);
    expect(meta[0]!.text).toBe('A \\ path\nsecond line');
  });

  it('reads NaN, +Inf and -Inf, and keeps negative timestamps', () => {
    const { samples } = parse('a NaN\nb +Inf\nc -Inf -1000\nd 1e-3');
    expect(samples.map((s) => s.value)).toEqual([NaN, Infinity, -Infinity, 0.001]);
    expect(samples[2]!.ts).toBe(-1000);
  });

  it('reads OpenMetrics exemplars, second timestamps, UNIT and stops at # EOF', () => {
    const { samples, meta } = parse(
      [
        '# TYPE foo counter',
        '# UNIT foo seconds',
        'foo_total{a="b"} 17.0 1520879607.789 # {trace_id="KOO5S4vxi0o"} 0.67 1520879602.029',
        'bar 1 # {trace_id="x"} 2',
        '# EOF',
        '',
      ].join('\n'),
      true,
    );
    expect(samples[0]!.ts).toBe(1520879607789);
    expect(samples[0]!.exemplar).toEqual({ labels: [['trace_id', 'KOO5S4vxi0o']], value: 0.67, ts: 1520879602029 });
    expect(samples[1]!.exemplar).toEqual({ labels: [['trace_id', 'x']], value: 2, ts: undefined });
    expect(meta.map((m) => m.kind)).toEqual(['type', 'unit']);
    expect(refusal('a 1\n# EOF\nb 2', true)).toMatch(/line 3: content after # EOF/);
  });

  it('reads the quoted UTF-8 metric and label names of Prometheus 3', () => {
    const { samples } = parse('{"my.metric", "a.b"="x", c="y"} 5');
    expect(flat(samples[0]!)).toEqual({ 'a.b': 'x', c: 'y', __name__: 'my.metric' });
  });

  it('drops labels with empty values, as Prometheus treats them as absent', () => {
    expect(flat(parse('m{a="",b="1",} 1').samples[0]!)).toEqual({ b: '1', __name__: 'm' });
  });

  it('refuses malformed lines with their line number', () => {
    expect(refusal('ok 1\nbad{a="x" 1')).toMatch(/^line 2: expected , or }/);
    expect(refusal('m{a="x",a="y"} 1')).toMatch(/line 1: duplicate label name "a"/);
    expect(refusal('m 1 2 3')).toMatch(/line 1: unexpected "3"/);
    expect(refusal('m one')).toMatch(/invalid number "one"/);
    expect(refusal('m{a="x} 1')).toMatch(/unterminated quoted string/);
    expect(refusal('m{a="\\q"} 1')).toMatch(/invalid escape/);
    expect(refusal('m 1 1.5')).toMatch(/invalid timestamp/);
    expect(refusal('9m 1')).toMatch(/invalid metric name/);
    expect(refusal('m{} ')).toMatch(/invalid number ""/);
    expect(refusal('# TYPE m bogus')).toMatch(/unknown metric type "bogus"/);
  });
});
