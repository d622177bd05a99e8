/**
 * Visiting and rewriting syntax trees, and the selectors a query reads. Trees are treated as
 * immutable: `transform` copies the nodes on the path to a change and shares the rest.
 */
import type { Expr, Matcher, VectorSelector } from './ast.js';

/** The direct sub-expressions of a node, in source order. */
export function children(expr: Expr): Expr[] {
  switch (expr.type) {
    case 'NumberLiteral':
    case 'StringLiteral':
    case 'VectorSelector':
      return [];
    case 'MatrixSelector':
      return [expr.vector];
    case 'SubqueryExpr':
    case 'UnaryExpr':
    case 'ParenExpr':
      return [expr.expr];
    case 'AggregateExpr':
      return expr.param ? [expr.param, expr.expr] : [expr.expr];
    case 'BinaryExpr':
      return [expr.lhs, expr.rhs];
    case 'Call':
      return expr.args;
  }
}

/**
 * Visit every node depth-first, parents before children. `visit` gets the node and its
 * ancestors (outermost first); returning `false` skips the node's children.
 */
export function walk(expr: Expr, visit: (node: Expr, ancestors: readonly Expr[]) => void | boolean): void {
  const ancestors: Expr[] = [];
  const go = (node: Expr): void => {
    if (visit(node, ancestors) === false) return;
    ancestors.push(node);
    for (const child of children(node)) go(child);
    ancestors.pop();
  };
  go(expr);
}

/**
 * Rebuild a tree bottom-up: children are transformed first, then `fn` sees the node (with its
 * new children) and returns a replacement, or undefined to keep it. Unchanged sub-trees are
 * shared, not copied.
 */
export function transform(expr: Expr, fn: (node: Expr) => Expr | undefined): Expr {
  const rebuilt = withChildren(expr, children(expr).map((c) => transform(c, fn)));
  return fn(rebuilt) ?? rebuilt;
}

function withChildren(expr: Expr, next: Expr[]): Expr {
  const prev = children(expr);
  if (prev.every((c, i) => c === next[i])) return expr;
  switch (expr.type) {
    case 'MatrixSelector':
      if (next[0]!.type !== 'VectorSelector') throw new TypeError('a range selector needs a vector selector');
      return { ...expr, vector: next[0] as VectorSelector };
    case 'SubqueryExpr':
    case 'UnaryExpr':
    case 'ParenExpr':
      return { ...expr, expr: next[0]! };
    case 'AggregateExpr':
      return expr.param ? { ...expr, param: next[0]!, expr: next[1]! } : { ...expr, expr: next[0]! };
    case 'BinaryExpr':
      return { ...expr, lhs: next[0]!, rhs: next[1]! };
    case 'Call':
      return { ...expr, args: next };
    default:
      return expr;
  }
}

/** Every vector selector in the tree (including those inside range selectors), in source order. */
export function selectors(expr: Expr): VectorSelector[] {
  const out: VectorSelector[] = [];
  walk(expr, (node) => {
    if (node.type === 'VectorSelector') out.push(node);
  });
  return out;
}

/** A selector's matchers with its metric name as a `__name__` equality matcher, first. */
export function allMatchers(vs: VectorSelector): Matcher[] {
  return vs.name === '' ? vs.matchers : [{ name: '__name__', op: '=', value: vs.name }, ...vs.matchers];
}
