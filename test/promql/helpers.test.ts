import { describe, expect, it } from 'vitest';
import {
  allMatchers, exprEqual, mayCarry, parse, print, requirements, resultLabels, selectors, transform, walk,
} from '../../host/promql/index.js';

describe('tree helpers', () => {
  it('walk visits parents before children and can skip a sub-tree', () => {
    const seen: string[] = [];
    walk(parse('sum(rate(a[5m])) + b'), (n) => {
      seen.push(n.type);
      return n.type !== 'AggregateExpr';
    });
    expect(seen).toEqual(['BinaryExpr', 'AggregateExpr', 'VectorSelector']);
  });

  it('transform rewrites a sub-tree and shares the untouched parts', () => {
    const tree = parse('sum by (job) (rate(x[5m])) / on (job) y');
    const out = transform(tree, (n) =>
      n.type === 'AggregateExpr' ? { type: 'VectorSelector', name: 'job:x:rate5m', matchers: [] } : undefined,
    );
    expect(print(out)).toBe('job:x:rate5m / on (job) y');
    expect(tree.type === 'BinaryExpr' && out.type === 'BinaryExpr' && out.rhs === tree.rhs).toBe(true);
  });

  it('structural equality ignores positions and matcher order', () => {
    expect(exprEqual(parse('foo{a="1",b="2"}'), parse(' foo{ b="2", a="1" }'))).toBe(true);
    expect(exprEqual(parse('foo[5m]'), parse('foo[300]'))).toBe(true);
    expect(exprEqual(parse('a + b'), parse('a - b'))).toBe(false);
  });

  it('lists selectors with the metric name as a matcher', () => {
    const [vs] = selectors(parse('rate(x{job="a"}[5m])'));
    expect(allMatchers(vs!)).toEqual([
      { name: '__name__', op: '=', value: 'x' },
      { name: 'job', op: '=', value: 'a' },
    ]);
  });

  it('sum by keeps only its labels, without drops its labels and the name', () => {
    const by = resultLabels(parse('sum by (job, le) (rate(x[5m]))'));
    expect(by).toEqual({ kind: 'exact', labels: new Set(['job', 'le']) });
    const wo = resultLabels(parse('sum without (instance) (x)'));
    expect([mayCarry(wo, 'job'), mayCarry(wo, 'instance'), mayCarry(wo, '__name__')]).toEqual([true, false, false]);
  });

  it('binary operations follow matching: on keeps, group_left adds, comparisons keep the name', () => {
    expect(resultLabels(parse('a / on (job) b'))).toEqual({ kind: 'exact', labels: new Set(['job']) });
    const gl = resultLabels(parse('sum by (job) (a) * on (job) group_left (version) b'));
    expect(gl).toEqual({ kind: 'exact', labels: new Set(['job', 'version']) });
    expect(mayCarry(resultLabels(parse('x > 1')), '__name__')).toBe(true);
    expect(mayCarry(resultLabels(parse('x + 1')), '__name__')).toBe(false);
  });

  it('computes the data window of each selector through subqueries and offsets', () => {
    const r = requirements(parse('max_over_time(rate(x[5m])[1h:1m] offset 1d)'));
    expect(r.selectors[0]).toMatchObject({ windowMs: 3_900_000, offsetMs: 86_400_000, subquerySteps: [60_000] });
    expect(r.lookbackMs).toBe(3_900_000 + 86_400_000);
    expect(requirements(parse('x offset -5m')).lookaheadMs).toBe(300_000);
  });

  it('evaluates step() in ranges only when the step is known', () => {
    expect(requirements(parse('rate(x[step()])')).lookbackMs).toBeUndefined();
    expect(requirements(parse('rate(x[step() * 2])'), { stepMs: 30_000 }).lookbackMs).toBe(60_000);
  });
});
