import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { promqlFmt } from '../../host/promql/index.js';

async function run(args: string[], stdin = ''): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (b: Buffer) => (out += b.toString()));
  stderr.on('data', (b: Buffer) => (err += b.toString()));
  const code = await promqlFmt(args, { stdin: Readable.from([stdin]), stdout, stderr });
  return { code, out, err };
}

describe('sluice promql fmt', () => {
  it('formats an expression given as an argument', async () => {
    expect(await run(['sum(rate(x[5m])) by (job)'])).toEqual({ code: 0, out: 'sum by (job) (rate(x[5m]))\n', err: '' });
  });

  it('formats one expression per stdin line and fails if any line is invalid', async () => {
    const r = await run([], 'a+b\n\nrate(x)\n');
    expect(r.code).toBe(1);
    expect(r.out).toBe('a + b\n');
    expect(r.err).toBe('line 3: 1:6: parse error: expected type range vector in call to function "rate", got instant vector\n');
  });

  it('reads an expression that starts with a minus as an expression, not a flag', async () => {
    expect((await run(['-foo'])).out).toBe('-foo\n');
  });
});
