import { describe, expect, it } from 'vitest';
import { parse, PromQLError } from '../../host/promql/index.js';

function errorOf(query: string): PromQLError {
  try {
    parse(query);
  } catch (e) {
    if (e instanceof PromQLError) return e;
    throw e;
  }
  throw new Error(`expected ${query} to be rejected`);
}

describe('checker', () => {
  it.each([
    ['rate(foo)', 'expected type range vector in call to function "rate", got instant vector', 6],
    ['floor(some_metric, 1)', 'expected 1 argument(s) in call to "floor", got 2', 1],
    ['foo + bool bar', 'bool modifier can only be used on comparison operators', 1],
    ['1 == 1', 'comparisons between scalars must use BOOL modifier', 1],
    ['foo and on(bar) group_left(baz) bar', 'no grouping allowed for "and" operation', 1],
    ['a * on(x) group_left(x) b', 'label "x" must not occur in ON and GROUP clause at once', 1],
    ['foo == on(bar) 10', 'vector matching only allowed between instant vectors', 1],
    ['1 or foo', 'set operator "or" not allowed in binary scalar expression', 1],
    ['sum(rate(x[5m])[5m])', 'ranges only allowed for vector selectors', 16],
    ['topk(x, y)', 'expected type scalar in aggregation parameter, got instant vector', 6],
    ['-"s"', 'unary expression only allowed on expressions of type scalar or instant vector, got "string"', 1],
    ['x[5m][1h:]', 'subquery is only allowed on instant vector, got range vector instead', 1],
    ['1 offset 1d', 'offset modifier must be preceded by an instant vector selector or range vector selector or a subquery', 3],
    ['{x=~".*"}', 'vector selector must contain at least one non-empty matcher', 1],
    ['foo{__name__="bar"}', 'metric name must not be set twice: "foo" or "bar"', 1],
    ['foo[0m]', 'duration must be greater than 0', 5],
    ['foo @ NaN', 'timestamp out of bounds for @ modifier: NaN', 7],
  ])('rejects %s with a message and position', (query, message, column) => {
    const e = errorOf(query);
    expect(e.detail).toBe(message);
    expect(e.column).toBe(column);
    expect(e.message).toBe(`1:${column}: parse error: ${message}`);
  });

  it('reports line and column on a multi-line query', () => {
    const e = errorOf('sum(\n  rate(x)\n)');
    expect([e.line, e.column]).toEqual([2, 8]);
  });

  it('drops vector matching when a side is a scalar, as Prometheus does', () => {
    expect(parse('foo + on() 1')).not.toHaveProperty('matching');
  });
});
