import { describe, expect, it } from 'vitest';
import { exprEqual, parse, pretty, print } from '../../host/promql/index.js';
import { evalExpressions } from './kit/promql-corpus.js';

describe('promqltest eval expressions', () => {
  const exprs = evalExpressions();

  it('finds the eval lines', () => {
    expect(exprs.length).toBeGreaterThan(2000);
  });

  it('every expression parses', () => {
    const failed: string[] = [];
    for (const { where, expr } of exprs) {
      try {
        parse(expr);
      } catch (e) {
        failed.push(`${where} ${expr}: ${(e as Error).message}`);
      }
    }
    expect(failed).toEqual([]);
  });

  it('parse, print, parse gives the same tree, on one line and pretty-printed', () => {
    const broken: string[] = [];
    for (const { where, expr } of exprs) {
      const tree = parse(expr);
      const line = print(tree);
      const multi = pretty(tree);
      if (!exprEqual(tree, parse(line)) || !exprEqual(tree, parse(multi)) || print(parse(line)) !== line) {
        broken.push(`${where} ${expr} -> ${line}`);
      }
    }
    console.log(`promqltest eval lines: ${exprs.length} parsed, ${exprs.length - broken.length} round-tripped`);
    expect(broken).toEqual([]);
  });
});
