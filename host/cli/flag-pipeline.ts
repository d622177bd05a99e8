import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { streamAggrConfigFromFlags } from '../../plugins/stream-aggr/flags.js';
import { formatDuration } from '../config/duration.js';
import type { FlagValues } from './flags.js';

/**
 * The default gateway pipeline, built from vmagent-style flags when there is no config file:
 * remote_write and import sources → relabel → stream aggregation → remote_write sink,
 * or the exposition sink (/federate) when no URL is given.
 */
export async function flagPipeline(values: FlagValues): Promise<Record<string, unknown>> {
  const urls = (values['remote-write.url'] as string[] | undefined) ?? [];
  const tenants = values['tenants.config'] ? await readYaml(values['tenants.config'] as string) : undefined;
  const auth = tenants ? { tenants: { tokens: tenants, require_auth: true } } : {};
  const sources: Record<string, unknown> = { 'remote_write/in': { ...auth }, 'import/in': { ...auth } };
  const processors: Record<string, unknown> = {};
  if (values['relabel.config']) processors['relabel/flags'] = { relabel_configs: await readYaml(values['relabel.config'] as string) };
  const dedup = values['stream-aggr.dedup-interval'] as number | undefined;
  const aggregation = streamAggrConfigFromFlags({
    config: values['stream-aggr.config'] as string | undefined,
    keepInput: values['stream-aggr.keep-input'] as boolean,
    dropInput: values['stream-aggr.drop-input'] as boolean,
    ...(dedup !== undefined ? { dedupInterval: formatDuration(dedup) } : {}),
  });
  if (aggregation) processors['stream_aggr/flags'] = aggregation;
  const sinks: Record<string, unknown> = {};
  if (urls.length === 0) sinks['exposition/out'] = {};
  else if (values['remote-write.shard-by-url'] && urls.length > 1) {
    // Each series goes to one URL by a stable hash; a URL that is down hands its share to the next.
    processors['route/shard-by-url'] = { targets: urls.map((url) => ({ name: url, url })) };
  } else {
    sinks['remote_write/out'] = {
      urls,
      max_disk_usage_per_url: values['remote-write.max-disk-usage-per-url'],
      ...(values['remote-write.tmp-data-path'] ? { tmp_data_path: values['remote-write.tmp-data-path'] } : {}),
    };
  }
  return {
    storage: { path: values['storage.path'] },
    sources,
    processors,
    sinks,
    pipelines: { main: { sources: Object.keys(sources), processors: Object.keys(processors), sinks: Object.keys(sinks) } },
  };
}

async function readYaml(file: string): Promise<unknown> {
  return parse(await readFile(file, 'utf8'));
}
