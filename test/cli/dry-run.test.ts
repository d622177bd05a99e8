import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

function configFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sluice-cfg-')), 'sluice.yml');
  writeFileSync(file, text);
  return file;
}

describe('sluice --dry-run', () => {
  it('reports three different mistakes at once, each with its path, and exits non-zero', async () => {
    const file = configFile(`
sources:
  remote_write/main:
    max_request_bytes: lots
processors:
  sampler/x: {}
sinks:
  exposition/out: {}
pipelines:
  main:
    sources: [remote_write/main]
    sinks: [remote_write/missing]
`);
    const { code, stderr } = await runCli(['--dry-run', `--config.file=${file}`]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/invalid configuration \(3 errors\)/);
    expect(stderr).toMatch(/sources\.remote_write\/main\.max_request_bytes: invalid size "lots"/);
    expect(stderr).toMatch(/processors\.sampler\/x: unknown processor type "sampler"/);
    expect(stderr).toMatch(/pipelines\.main\.sinks\[0\]: remote_write\/missing is not defined under sinks/);
  });

  it('reports YAML syntax errors and unset environment variables with their lines', async () => {
    const file = configFile('pipelines:\n  main: {sources: [a\nstorage:\n  path: ${SLUICE_TEST_UNSET_DIR}\n');
    const { code, stderr } = await runCli(['--dry-run', `--config.file=${file}`]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/<line 4>: environment variable SLUICE_TEST_UNSET_DIR is not set/);
    expect(stderr).toMatch(/<line \d+, column \d+>/);
  });

  it('accepts a valid config, expanding environment variables', async () => {
    const file = configFile(`
sources:
  remote_write/main: {}
sinks:
  exposition/out: {}
storage:
  path: \${SLUICE_TEST_DATA:-/tmp/sluice-test-data}
pipelines:
  main: { sources: [remote_write/main], sinks: [exposition/out] }
`);
    const { code, stdout, stderr } = await runCli(['validate', file]);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/valid/);
    expect(code).toBe(0);
  });
});
