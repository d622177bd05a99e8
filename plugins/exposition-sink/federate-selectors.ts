import { BadInputError } from '../../host/errors.js';
import { parse } from '../../host/promql/index.js';
import { compileMatcher, type CompiledMatcher } from '../../host/series/matcher.js';
import { METRIC_NAME, type Labels } from '../../host/series/labels.js';

/**
 * The `match[]` parameters of /federate: each a series selector (`name{label="v",...}` with =,
 * !=, =~, !~), parsed by the PromQL parser; a series is served when it matches any of them.
 * Like Prometheus, at least one is required and a selector must not match the empty label set.
 */
export function compileSelectors(params: string[]): CompiledMatcher[][] {
  if (params.length === 0) throw new BadInputError('at least one match[] selector is required, e.g. match[]={__name__=~".+"}');
  return params.map((text) => {
    let expr;
    try {
      expr = parse(text);
    } catch (err) {
      throw new BadInputError(`invalid match[] ${JSON.stringify(text)}: ${(err as Error).message}`, err);
    }
    if (expr.type !== 'VectorSelector' || expr.offset || expr.at) {
      throw new BadInputError(`match[] ${JSON.stringify(text)} is not a plain series selector`);
    }
    const matchers = expr.matchers.map((m) => compileMatcher({ name: m.name, type: m.op, value: m.value }));
    if (expr.name !== '') matchers.push(compileMatcher({ name: METRIC_NAME, type: '=', value: expr.name }));
    return matchers;
  });
}

/** Whether a label set (absent labels read as "") satisfies any of the selectors. */
export function matchesAny(selectors: CompiledMatcher[][], labels: Labels): boolean {
  outer: for (const matchers of selectors) {
    for (const m of matchers) {
      let value = '';
      for (const l of labels) {
        if (l.name === m.name) {
          value = l.value;
          break;
        }
      }
      if (!m.matches(value)) continue outer;
    }
    return true;
  }
  return false;
}
