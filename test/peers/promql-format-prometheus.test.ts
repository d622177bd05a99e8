import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, pretty } from '../../host/promql/index.js';
import { startPrometheus, type RunningPrometheus } from './kit/prometheus.js';
import { evalExpressions, parseCases } from './kit/promql-corpus.js';

/**
 * Our canonical form against Prometheus's own: Debian's Prometheus 2.42 formats every corpus
 * expression through /api/v1/format_query. Expressions that 2.42 cannot parse (syntax newer
 * than 2.42: duration expressions, UTF-8 names, fill/anchored/smoothed, newer functions) are
 * excluded and counted.
 */
describe('printer output equals Prometheus 2.42 format_query', () => {
  let prom: RunningPrometheus;

  beforeAll(async () => {
    prom = await startPrometheus();
  });

  afterAll(async () => {
    await prom?.stop();
  });

  async function formatQuery(query: string): Promise<{ ok: true; text: string } | { ok: false; error: string }> {
    const res = await fetch(`${prom.url}/api/v1/format_query`, { method: 'POST', body: new URLSearchParams({ query }) });
    const body = (await res.json()) as { status: string; data?: string; error?: string };
    return body.status === 'success' ? { ok: true, text: body.data! } : { ok: false, error: body.error ?? res.statusText };
  }

  it('agrees on every corpus expression that 2.42 understands', async () => {
    const inputs = [
      ...parseCases().filter((c) => !c.fail).map((c) => c.input),
      ...evalExpressions().map((e) => e.expr),
    ];
    const unique = [...new Set(inputs)].filter((q) => {
      try {
        parse(q);
        return true;
      } catch {
        return false; // the listed extraction faults of cases.json
      }
    });
    let agreed = 0;
    const excluded: string[] = [];
    const differences: string[] = [];
    for (const q of unique) {
      const theirs = await formatQuery(q);
      if (!theirs.ok) {
        excluded.push(`${q}  [${theirs.error}]`);
        continue;
      }
      const ours = pretty(parse(q));
      if (ours === theirs.text) agreed++;
      else differences.push(`query:      ${q}\nprometheus: ${theirs.text}\nsluice:     ${ours}`);
    }
    console.log(
      `format_query: ${unique.length} unique expressions, ${agreed} identical to Prometheus 2.42, ` +
        `${differences.length} different, ${excluded.length} excluded (2.42 cannot parse them)`,
    );
    expect(differences).toEqual([]);
    expect(agreed).toBeGreaterThan(1000);
  });
});
