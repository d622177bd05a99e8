/**
 * The one error catalogue. Every error Sluice raises on purpose is a `SluiceError` with a stable
 * `code`, a `retryable` flag (permanent input errors are never retried; the rest may be) and, where
 * it answers an HTTP request, the status to answer with.
 */
export class SluiceError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly status: number;

  constructor(code: string, message: string, opts: { retryable: boolean; status: number; cause?: unknown }) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = opts.retryable;
    this.status = opts.status;
  }
}

/** Bad input from a client: malformed body, invalid labels. Never retried. */
export class BadInputError extends SluiceError {
  constructor(message: string, cause?: unknown) {
    super('SLUICE_ERR_BAD_INPUT', message, { retryable: false, status: 400, cause });
  }
}

/** A content type, protocol or encoding this endpoint does not speak. */
export class UnsupportedMediaError extends SluiceError {
  constructor(message: string) {
    super('SLUICE_ERR_UNSUPPORTED_MEDIA', message, { retryable: false, status: 415 });
  }
}

/** A body over the configured limit. */
export class TooLargeError extends SluiceError {
  constructor(message: string) {
    super('SLUICE_ERR_TOO_LARGE', message, { retryable: false, status: 413 });
  }
}

/** Missing or unknown credentials. */
export class UnauthorizedError extends SluiceError {
  constructor(message: string) {
    super('SLUICE_ERR_UNAUTHORIZED', message, { retryable: false, status: 401 });
  }
}

/**
 * A full edge or a downstream that is down. Answered with 503 and Retry-After, never 429:
 * Prometheus drops data on 429 by default, and back-pressure must not lose samples.
 */
export class BackpressureError extends SluiceError {
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds = 1) {
    super('SLUICE_ERR_BACKPRESSURE', message, { retryable: true, status: 503 });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A deliberate per-tenant limit (series or rate). Refused samples are counted by reason. */
export class LimitExceededError extends SluiceError {
  constructor(message: string) {
    super('SLUICE_ERR_LIMIT', message, { retryable: false, status: 429 });
  }
}

/** A configuration that does not validate; `issues` lists every problem with its path. */
export class ConfigError extends SluiceError {
  readonly issues: ConfigIssue[];
  constructor(issues: ConfigIssue[]) {
    super('SLUICE_ERR_CONFIG', formatIssues(issues), { retryable: false, status: 400 });
    this.issues = issues;
  }
}

export interface ConfigIssue {
  /** Dotted path into the config, e.g. `processors.relabel/a.relabel_configs[2].action`. */
  path: string;
  message: string;
}

function formatIssues(issues: ConfigIssue[]): string {
  const lines = issues.map((i) => `  ${i.path || '<root>'}: ${i.message}`);
  return `invalid configuration (${issues.length} error${issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}`;
}

/** A plugin that cannot be loaded: bad module, wrong api version, failing create(). */
export class PluginLoadError extends SluiceError {
  constructor(message: string, cause?: unknown) {
    super('SLUICE_ERR_PLUGIN_LOAD', message, { retryable: false, status: 500, cause });
  }
}

/** A WebAssembly kernel that refused to load or aborted. */
export class KernelError extends SluiceError {
  constructor(message: string, cause?: unknown) {
    super('SLUICE_ERR_KERNEL', message, { retryable: false, status: 500, cause });
  }
}

/** A downstream (sink target) failed in a way worth retrying: 5xx, 429, network. */
export class DownstreamError extends SluiceError {
  constructor(message: string, opts: { retryable: boolean; cause?: unknown }) {
    super('SLUICE_ERR_DOWNSTREAM', message, { retryable: opts.retryable, status: 502, cause: opts.cause });
  }
}

/** The component is shutting down and accepts nothing more. */
export class ShuttingDownError extends SluiceError {
  constructor(what: string) {
    super('SLUICE_ERR_SHUTTING_DOWN', `${what} is shutting down`, { retryable: true, status: 503 });
  }
}

/** Whether an error may be retried; unknown errors are treated as retryable (lose nothing). */
export function isRetryable(err: unknown): boolean {
  return err instanceof SluiceError ? err.retryable : true;
}
