/**
 * The flag-built pipeline's stream aggregation, as vmagent users know it:
 * `--stream-aggr.config`, `--stream-aggr.keep-input`, `--stream-aggr.drop-input`,
 * `--stream-aggr.dedup-interval`. The CLI parses flags; this turns their values into the
 * stream_aggr processor's config (undefined when no config file is given: no processor).
 */
export interface StreamAggrFlags {
  /** --stream-aggr.config: path to a vmagent stream aggregation YAML file. */
  config?: string;
  /** --stream-aggr.keep-input */
  keepInput?: boolean;
  /** --stream-aggr.drop-input */
  dropInput?: boolean;
  /** --stream-aggr.dedup-interval, e.g. 30s. */
  dedupInterval?: string;
}

/** The processor config for these flags (validated later with the rest of the pipeline). */
export function streamAggrConfigFromFlags(flags: StreamAggrFlags): Record<string, unknown> | undefined {
  if (flags.config === undefined || flags.config === '') return undefined;
  return {
    config_file: flags.config,
    keep_input: flags.keepInput ?? false,
    drop_input: flags.dropInput ?? false,
    ...(flags.dedupInterval ? { dedup_interval: flags.dedupInterval } : {}),
  };
}
