import type { HttpRoutes } from '../../host/http/routes.js';
import type { RelabelEngine } from '../../host/relabel/engine.js';
import { parseSeriesSelector } from '../../host/relabel/selector.js';
import { formatSeries, sortLabels, type Label } from '../../host/series/labels.js';

/**
 * `GET /-/relabel-debug/<component id>?series=up{job="api"}`: the series after each rule, as
 * vmagent's relabel debug page shows it, so a config can be checked against a real series
 * without sending data. Answers JSON `{ input, steps: [{ rule, action, series }], output }`;
 * `series` is null from the rule that dropped it.
 */
export function serveRelabelDebug(http: HttpRoutes, id: string, engine: RelabelEngine): void {
  http.route({
    method: 'GET',
    url: `/-/relabel-debug/${id}`,
    handler: (req, reply) => {
      const text = (req.query as Record<string, string | undefined>).series;
      const labels = text === undefined ? undefined : parseSeries(text);
      if (typeof labels === 'string' || labels === undefined) {
        return reply.code(400).send({ error: labels ?? 'missing query parameter series, e.g. ?series=up{job="api"}' });
      }
      const { steps, output } = engine.trace(labels);
      return reply.send({
        input: formatSeries(labels),
        steps: steps.map((s) => ({ rule: s.rule, action: s.action, series: s.labels ? formatSeries(s.labels) : null })),
        output: output ? formatSeries(output) : null,
      });
    },
  });
}

/** A series written as a selector with only `=` matchers; a message when it is not one. */
function parseSeries(text: string): Label[] | string {
  let alternatives;
  try {
    alternatives = parseSeriesSelector(text).alternatives;
  } catch (err) {
    return (err as Error).message;
  }
  const [only] = alternatives;
  if (alternatives.length !== 1 || !only!.every((m) => m.type === '=')) return `${JSON.stringify(text)} is not a series: use name{label="value", ...}`;
  return sortLabels(only!.map((m) => ({ name: m.name, value: m.value })));
}
