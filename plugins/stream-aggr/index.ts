/**
 * # stream_aggr
 *
 * vmagent-compatible stream aggregation: rules in `-streamAggr.config` syntax, accepted unchanged,
 * every vmagent output, `<metric>:<interval>[_by_<labels>|_without_<labels>]_<output>` names,
 * flushes aligned to multiples of the interval and stamped with the boundary.
 *
 * Design decisions (issue 5):
 * - Per-sample work runs in the `aggregate` WebAssembly kernel over series refs: the ref → series
 *   slot → group mapping is computed once per series (selector, drop_input_labels, input
 *   relabeling, by/without) and kept in kernel tables, so a known sample costs two loads and the
 *   state updates. unique_samples keeps its value sets on the host.
 * - Input rows are passed downstream before they are folded, so a batch refused by back-pressure
 *   and retried by the client is not counted twice. Outputs wait in a bounded queue.
 * - State survives restarts (written to the data directory on stop and every
 *   `state_snapshot_interval`, restored on start), config reloads of unchanged rules, and hot swaps
 *   (snapshot/restore). Snapshots name series by tenant and labels, never only by ref. A
 *   periodic snapshot copies the kernel state at once and does the rest (series keys, encoding,
 *   the write) in slices between requests (host/aggregation/steps.ts).
 * - Where Sluice deliberately differs from vmagent (gap handling, event time, state across
 *   restarts) is listed in README.md beside this file.
 */
import { PLUGIN_API_VERSION, type PluginManifest } from '../../host/plugin/manifest.js';
import { streamAggrSchema, type StreamAggrConfig } from './config.js';
import { StreamAggrProcessor } from './processor.js';

export { streamAggrConfigFromFlags, type StreamAggrFlags } from './flags.js';
export { loadStreamAggrConfig, parseRulesYaml } from './rules-file.js';
export { StreamAggrProcessor } from './processor.js';

const manifest: PluginManifest<StreamAggrConfig> = {
  kind: 'processor',
  type: 'stream_aggr',
  api: PLUGIN_API_VERSION,
  stability: 'beta',
  description: 'Aggregates samples by time and labels in streaming mode, with vmagent stream aggregation config and outputs; state survives restarts.',
  config: streamAggrSchema,
  example: { rules: [{ match: 'http_requests_total', interval: '1m', by: ['job'], outputs: ['total', 'count_samples'] }] },
  create(ctx, config, next) {
    return StreamAggrProcessor.create(ctx, config, next);
  },
};

export default manifest;
