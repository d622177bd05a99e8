import { describe, expect, it } from 'vitest';
import { parse } from '../../host/promql/index.js';
import { parseCases } from './kit/promql-corpus.js';

/**
 * Inputs where the extracted data cannot be what Prometheus's test meant. The extraction script
 * turned Go byte escapes into characters and cut strings Go builds programmatically.
 */
const EXCEPTIONS: Record<string, string> = {
  "{'foo\\'bar', ": 'cut by the extraction: an unterminated selector cannot parse (the Go test builds it from parts)',
  '`': 'cut by the extraction: a lone backtick is an unterminated raw string',
  'some_metric{a="ÿ"}': 'Go\'s input is the invalid UTF-8 byte "\\xff"; extracted as the valid character ÿ',
  'label_replace(a, `b`, `cÿ`, `d`, `.*`)': 'Go\'s input holds the invalid UTF-8 byte 0xff; extracted as the valid character ÿ',
};

function accepts(input: string): boolean {
  try {
    parse(input);
    return true;
  } catch {
    return false;
  }
}

describe('Prometheus parser test inputs', () => {
  const cases = parseCases();

  it('every valid input parses and every invalid one is rejected, except the listed extraction faults', () => {
    const disagreements = cases.filter((c) => accepts(c.input) === c.fail).map((c) => c.input);
    const valid = cases.filter((c) => !c.fail);
    const invalid = cases.filter((c) => c.fail);
    console.log(
      `promql-parse cases: ${valid.length - valid.filter((c) => disagreements.includes(c.input)).length}/${valid.length} valid parsed, ` +
        `${invalid.length - invalid.filter((c) => disagreements.includes(c.input)).length}/${invalid.length} invalid rejected, ` +
        `${disagreements.length} exceptions`,
    );
    expect(disagreements.sort()).toEqual(Object.keys(EXCEPTIONS).sort());
  });

  it('every rejection carries a position inside the input', () => {
    for (const c of cases.filter((x) => x.fail && !(x.input in EXCEPTIONS))) {
      try {
        parse(c.input);
      } catch (e) {
        const err = e as { pos?: { start: number; end: number }; line?: number };
        expect(err.pos, c.input).toBeDefined();
        expect(err.pos!.start).toBeGreaterThanOrEqual(0);
        expect(err.pos!.start).toBeLessThanOrEqual(c.input.length);
      }
    }
  });
});
