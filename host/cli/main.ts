#!/usr/bin/env -S node --initial-old-space-size=256
// The flag above (and in package.json's start script, which test/cli/node-flags.test.ts keeps the
// same): V8 counts ArrayBuffers, which every request allocates by the hundred kilobytes, against
// an old-generation limit it sizes from the live heap, only ~20 MB here; the relay then ran a
// full mark-compact every ~70 requests. Starting the limit at 256 MB cut them ~12x and raised the
// relay from 1.47M to 2.42M samples/s on one core, for ~45 MB more peak RSS.
import { Host } from '../host.js';
import { ConfigError } from '../errors.js';
import type { KernelMode } from '../kernels/kernels.js';
import { promqlFmt } from '../promql/fmt-command.js';
import { createLogger, type LogFormat, type LogLevel } from '../telemetry/logger.js';
import { configReference, pluginList, writeReadmeReference } from './docs.js';
import { flagPipeline } from './flag-pipeline.js';
import { FlagError, helpText, parseFlags, type FlagValues } from './flags.js';

const io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'promql' && rest[0] === 'fmt') return promqlFmt(rest.slice(1), io);
  if (command === 'validate') return validateCommand(rest);
  if (command === 'plugins' || command === 'docs') {
    const { values } = parseFlags(command === 'plugins' ? rest : [], process.env);
    const host = new Host({ config: {}, ...pluginsDir(values), logger: quietLogger() });
    await host.validate();
    if (command === 'plugins') process.stdout.write(`${pluginList(host.types.all())}\n`);
    else if (rest[0] === '--readme' && rest[1]) await writeReadmeReference(rest[1], configReference(host.types.all()));
    else process.stdout.write(configReference(host.types.all()));
    return 0;
  }
  return run(argv);
}

async function validateCommand(args: string[]): Promise<number> {
  const { values, positional } = parseFlags(args, process.env);
  const file = positional[0] ?? (values['config.file'] as string | undefined);
  if (!file) {
    process.stderr.write('usage: sluice validate <config.yml> [--plugins.dir=<dir>]\n');
    return 2;
  }
  return dryRun(new Host({ configFile: file, ...pluginsDir(values), logger: quietLogger() }), file);
}

async function dryRun(host: Host, what: string): Promise<number> {
  const issues = await host.validate();
  if (issues.length === 0) {
    process.stdout.write(`${what}: valid\n`);
    return 0;
  }
  process.stderr.write(`${new ConfigError(issues).message}\n`);
  return 1;
}

async function run(argv: string[]): Promise<number> {
  const { values, help } = parseFlags(argv, process.env);
  if (help) {
    process.stdout.write(helpText());
    return 0;
  }
  const logger = createLogger({ level: values['log.level'] as LogLevel, format: values['log.format'] as LogFormat });
  const configFile = values['config.file'] as string | undefined;
  const host = new Host({
    ...(configFile ? { configFile } : { config: await flagPipeline(values) }),
    ...pluginsDir(values),
    listenAddress: values['web.listen-address'] as string,
    enableLifecycle: values['web.enable-lifecycle'] as boolean,
    shutdownTimeoutMs: values['shutdown.timeout'] as number,
    maxBodyBytes: values['web.max-request-bytes'] as number,
    kernelMode: values['kernels'] as KernelMode,
    seriesImplementation: values['kernels'] === 'reference' ? 'reference' : 'wasm',
    logger,
  });
  if (values['dry-run']) return dryRun(host, configFile ?? 'flag-built pipeline');
  try {
    await host.start();
  } catch (err) {
    logger.fatal({ err: (err as Error).message }, 'Sluice could not start');
    process.stderr.write(`${(err as Error).message}\n`);
    return 1;
  }
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: exiting without waiting for the drain');
        process.exit(1);
      }
      stopping = true;
      logger.info({ signal }, 'draining and flushing before exit');
      host.stop().then(
        () => resolve(0),
        (err: Error) => {
          logger.error({ err: err.message }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGHUP', () => void host.reload());
  });
}

function pluginsDir(values: FlagValues): { pluginsDir?: string } {
  const dir = values['plugins.dir'] as string | undefined;
  return dir ? { pluginsDir: dir } : {};
}

function quietLogger() {
  return createLogger({ level: 'error', format: 'logfmt' });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof FlagError ? err.message : (err as Error).stack ?? String(err)}\n`);
    process.exit(err instanceof FlagError ? 2 : 1);
  },
);
