import { z } from 'zod';
import type { SampleBatch } from '../../host/batch/sample-batch.js';
import { isStaleNaN } from '../../host/batch/stale.js';
import { formatTenant } from '../../host/batch/tenant.js';
import { byteSize } from '../../host/config/schema.js';
import type { PluginContext } from '../../host/plugin/context.js';
import { PLUGIN_API_VERSION, type Component, type PluginManifest } from '../../host/plugin/manifest.js';
import { labelsToRecord } from '../../host/series/labels.js';
import { formatValue } from '../../host/wire/text-writer.js';
import { RotatingFile } from './rotating-file.js';

const schema = z
  .strictObject({
    path: z.string().min(1).describe('File to append to, or `-` for standard output.'),
    format: z
      .enum(['series', 'sample'])
      .default('series')
      .describe('`series`: one line per series per batch, `{"labels":{...},"samples":[[ts,value],...]}`; `sample`: one line per sample, `{"labels":{...},"ts":...,"value":...}`.'),
    max_size: byteSize('Size past which the file is rotated to `<path>.1`; 0 never rotates.', '100MiB'),
    max_files: z.number().int().min(0).default(5).describe('Rotated files kept (`<path>.1` … `<path>.N`); older ones are removed.'),
  })
  .describe('Writes samples as JSON lines, for debugging a pipeline.');

export type FileSinkConfig = z.output<typeof schema>;

/**
 * A debugging sink: JSON lines to a file or stdout. Values that JSON cannot hold are written as
 * the strings Prometheus's HTTP API uses (`"NaN"`, `"+Inf"`, `"-Inf"`), and the stale marker as
 * `"stale"` so it is told apart from an ordinary NaN. A non-default tenant is written as `"tenant"`.
 */
const manifest: PluginManifest<FileSinkConfig> = {
  kind: 'sink',
  type: 'file',
  api: PLUGIN_API_VERSION,
  stability: 'beta',
  description: 'JSON lines of samples to a file (rotated by size) or stdout, for debugging.',
  config: schema,
  example: { path: '-' },
  create(ctx: PluginContext, config: FileSinkConfig): Component {
    const file = new RotatingFile(config.path, config.max_size, config.max_files);
    return {
      consume: (batch: SampleBatch) => file.write(config.format === 'series' ? seriesLines(ctx, batch) : sampleLines(ctx, batch)),
      stop: () => file.close(),
    };
  },
};

export default manifest;

function jsonValue(v: number): string {
  if (Number.isFinite(v)) return JSON.stringify(v);
  return isStaleNaN(v) ? '"stale"' : `"${formatValue(v)}"`;
}

function prefix(ctx: PluginContext, batch: SampleBatch, ref: number): string {
  const tenant = batch.tenant.accountId === 0 && batch.tenant.projectId === 0 ? '' : `"tenant":"${formatTenant(batch.tenant)}",`;
  return `{${tenant}"labels":${JSON.stringify(labelsToRecord(ctx.series.labels(ref)))}`;
}

/** One line per series, its samples in batch order. */
function seriesLines(ctx: PluginContext, batch: SampleBatch): string {
  const rows = new Map<number, number[]>();
  for (let i = 0; i < batch.length; i++) {
    const ref = batch.refs[i]!;
    const list = rows.get(ref);
    if (list) list.push(i);
    else rows.set(ref, [i]);
  }
  let out = '';
  for (const [ref, list] of rows) {
    out += `${prefix(ctx, batch, ref)},"samples":[${list.map((i) => `[${batch.ts[i]},${jsonValue(batch.values[i]!)}]`).join(',')}]}\n`;
  }
  return out;
}

function sampleLines(ctx: PluginContext, batch: SampleBatch): string {
  let out = '';
  for (let i = 0; i < batch.length; i++) out += `${prefix(ctx, batch, batch.refs[i]!)},"ts":${batch.ts[i]},"value":${jsonValue(batch.values[i]!)}}\n`;
  return out;
}
