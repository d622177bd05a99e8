/**
 * Series selectors for `match`: PromQL selectors (`name`, `name{matchers}`, `{matchers}`) and
 * VictoriaMetrics' `{a="x" or b="y"}`, parsed by the relabel engine's selector parser so `match`
 * and `if:` accept the same language.
 */
import { anySelector, parseSeriesSelector, type SeriesSelector } from '../relabel/selector.js';

export { parseSeriesSelector };

/** A `match` (a string or a list of them, any of which may match); undefined matches everything. */
export function compileSelectors(match: string | string[] | undefined): SeriesSelector | undefined {
  if (match === undefined) return undefined;
  return anySelector((Array.isArray(match) ? match : [match]).map(parseSeriesSelector));
}

/** Whether labels (via `get`) satisfy the selector; no selector matches everything. */
export function matchesAny(selector: SeriesSelector | undefined, get: (name: string) => string | undefined): boolean {
  return selector === undefined || selector.matches(get);
}
