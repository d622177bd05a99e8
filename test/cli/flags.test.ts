import { describe, expect, it } from 'vitest';
import { envName, FlagError, FLAGS, helpText, parseFlags } from '../../host/cli/flags.js';

describe('flags', () => {
  it('every flag has an environment twin named after it', () => {
    expect(envName('web.listen-address')).toBe('SLUICE_WEB_LISTEN_ADDRESS');
    const { values } = parseFlags([], { SLUICE_LOG_LEVEL: 'debug', SLUICE_REMOTE_WRITE_URL: 'http://a/w, http://b/w' });
    expect(values['log.level']).toBe('debug');
    expect(values['remote-write.url']).toEqual(['http://a/w', 'http://b/w']);
  });

  it('a flag on the command line wins over its environment twin, which wins over the default', () => {
    const { values } = parseFlags(['--log.level=warn'], { SLUICE_LOG_LEVEL: 'debug' });
    expect(values['log.level']).toBe('warn');
    expect(parseFlags([], {}).values['log.level']).toBe('info');
  });

  it('parses durations, sizes, booleans and repeated flags', () => {
    const { values, positional } = parseFlags(['--shutdown.timeout', '1m30s', '--web.max-request-bytes=2MiB', '--web.enable-lifecycle', '--remote-write.url=http://a', '--remote-write.url=http://b', 'extra'], {});
    expect(values['shutdown.timeout']).toBe(90_000);
    expect(values['web.max-request-bytes']).toBe(2 * 1024 * 1024);
    expect(values['web.enable-lifecycle']).toBe(true);
    expect(values['remote-write.url']).toEqual(['http://a', 'http://b']);
    expect(positional).toEqual(['extra']);
  });

  it('rejects unknown flags and bad values with the flag named', () => {
    expect(() => parseFlags(['--nope'], {})).toThrow(FlagError);
    expect(() => parseFlags(['--log.format=xml'], {})).toThrow(/--log.format: "xml" is not one of logfmt, json/);
    expect(() => parseFlags(['--shutdown.timeout=soon'], {})).toThrow(/not a duration/);
  });

  it('--help lists every flag with its environment twin', () => {
    const help = helpText();
    for (const f of FLAGS) {
      expect(help).toContain(`--${f.name}`);
      expect(help).toContain(envName(f.name));
    }
  });
});
