import { describe, expect, it } from 'vitest';
import { type BinaryExpr, type Expr, parse, print } from '../../host/promql/index.js';

/** A compact view of a tree: the one-line print, with parentheses where the tree nests. */
function shape(e: Expr): string {
  switch (e.type) {
    case 'BinaryExpr':
      return `(${shape(e.lhs)} ${e.op} ${shape(e.rhs)})`;
    case 'UnaryExpr':
      return `(${e.op}${shape(e.expr)})`;
    default:
      return print(e);
  }
}

describe('parser', () => {
  it('binds ^ tighter than unary minus and unary minus like *', () => {
    expect(shape(parse('-a ^ 2'))).toBe('(-(a ^ 2))');
    expect(shape(parse('-a * 2'))).toBe('((-a) * 2)');
    expect(shape(parse('a ^ b ^ c'))).toBe('(a ^ (b ^ c))');
    expect(shape(parse('a - b - c'))).toBe('((a - b) - c)');
  });

  it('orders operators or < and/unless < comparisons < +,- < *,/,%,atan2 < ^', () => {
    expect(shape(parse('a or b and c unless d'))).toBe('(a or ((b and c) unless d))');
    expect(shape(parse('a + b * c == bool d atan2 e'))).toBe('((a + (b * c)) == (d atan2 e))');
  });

  it('folds a sign into a number literal', () => {
    expect(parse('-5')).toMatchObject({ type: 'NumberLiteral', value: -5 });
    expect(parse('- -1')).toMatchObject({ type: 'NumberLiteral', value: 1 });
    expect(parse('0x1F')).toMatchObject({ value: 31 });
    expect(parse('0755')).toMatchObject({ value: 493 });
  });

  it('reads keywords case-insensitively but keeps metric names as written', () => {
    const e = parse('SUM BY (job) (Foo OFFSET 5m)');
    expect(print(e)).toBe('sum by (job) (Foo offset 5m)');
    expect(parse('sum')).toMatchObject({ type: 'VectorSelector', name: 'sum' });
  });

  it('parses vector matching with group modifiers and fill', () => {
    const e = parse('a * on (x) group_left (y) fill_left(0) b') as BinaryExpr;
    expect(e.matching).toEqual({ card: 'many-to-one', on: true, labels: ['x'], include: ['y'], fillLeft: 0 });
    expect((parse('a and b') as BinaryExpr).matching?.card).toBe('many-to-many');
  });

  it('binds a bare offset literal to the offset alone, as Prometheus does', () => {
    expect(shape(parse('foo offset 5s - 8'))).toBe('(foo offset 5s - 8)');
    expect(print(parse('foo offset (5s - 8)'))).toBe('foo offset (5s - 8)');
    expect(print(parse('foo[(5m)]'))).toBe('foo[5m]');
    expect(print(parse('foo[step() + 1ms]'))).toBe('foo[step() + 1ms]');
  });

  it('parses subqueries, @ and offset in either order', () => {
    expect(print(parse('rate(x[5m])[30m:1m] offset 1h @ 100'))).toBe('rate(x[5m])[30m:1m] @ 100.000 offset 1h');
    expect(print(parse('foo @ start()'))).toBe('foo @ start()');
    expect(print(parse('x[1h:]'))).toBe('x[1h:]');
  });

  it('keeps UTF-8 metric and label names quoted', () => {
    expect(print(parse('{"some.metric", "a b"="c"}'))).toBe('{"a b"="c",__name__="some.metric"}');
    expect(print(parse('sum by ("foo bar") (x)'))).toBe('sum by ("foo bar") (x)');
  });

  it('unquotes strings with Go escapes and keeps invalid UTF-8 bytes', () => {
    expect(parse('"a\\nb\\u00e9"')).toMatchObject({ value: 'a\nbé' });
    expect(print(parse('"\\xff"'))).toBe('"\\xff"');
    expect(print(parse('`raw\\n`'))).toBe('"raw\\\\n"');
  });
});
