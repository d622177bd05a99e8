import { describe, expect, it } from 'vitest';
import { parse, pretty, print } from '../../host/promql/index.js';

// Expected outputs are what Prometheus 2.42's /api/v1/format_query answered for the same input.
describe('printer', () => {
  it.each([
    ['sum(x) by (a,b)', 'sum by (a, b) (x)'],
    ['sum by () (x)', 'sum(x)'],
    ['sum without () (x)', 'sum without () (x)'],
    ['a + on(b) group_left c', 'a + on (b) group_left () c'],
    ['foo{b="2", a="1"}', 'foo{a="1",b="2"}'],
    ['{a="b", __name__="foo"}', '{__name__="foo",a="b"}'],
    ['foo offset 90m', 'foo offset 1h30m'],
    ['foo[7d]', 'foo[1w]'],
    ['foo[5m:1m] offset 5m @ 100', 'foo[5m:1m] @ 100.000 offset 5m'],
    ['1e6', '1e+06'],
    ['0.00001', '1e-05'],
    ['123456', '123456'],
    ['-(-1)', '-(-1)'],
    ['-a^2', '-a ^ 2'],
    ['`raw"q`', '"raw\\"q"'],
    ['"☺\\x01\\u00e9"', '"☺\\x01é"'],
  ])('prints %s as %s', (input, expected) => {
    expect(print(parse(input))).toBe(expected);
  });

  it('keeps matcher order when asked', () => {
    expect(print(parse('foo{b="2", a="1"}'), { keepMatcherOrder: true })).toBe('foo{b="2",a="1"}');
  });

  it('splits a query longer than 100 bytes and indents its children', () => {
    const q =
      'histogram_quantile(0.99, sum by (le, job, instance, handler) (rate(http_request_duration_seconds_bucket{job="api-server"}[5m])))';
    expect(pretty(parse(q))).toBe(
      [
        'histogram_quantile(',
        '  0.99,',
        '  sum by (le, job, instance, handler) (',
        '    rate(http_request_duration_seconds_bucket{job="api-server"}[5m])',
        '  )',
        ')',
      ].join('\n'),
    );
  });

  it('puts a long binary operation on three lines with its modifiers', () => {
    const q =
      'max_over_time(rate(http_requests_total{job="api-server",handler="/api/comments"}[5m])[30m:1m]) / on(instance, job) group_left(version) sum by (instance, job) (rate(foo_total[5m]))';
    expect(pretty(parse(q)).split('\n')).toEqual([
      '  max_over_time(rate(http_requests_total{handler="/api/comments",job="api-server"}[5m])[30m:1m])',
      '/ on (instance, job) group_left (version)',
      '  sum by (instance, job) (rate(foo_total[5m]))',
    ]);
  });
});
