import { z } from 'zod';
import type { SampleBatch } from '../../../host/batch/sample-batch.js';
import { PLUGIN_API_VERSION, type PluginManifest } from '../../../host/plugin/manifest.js';

/** Batches each recording sink received, by component id; survives generations. */
export const recorded = new Map<string, SampleBatch[]>();

const manifest: PluginManifest = {
  kind: 'sink',
  type: 'recording',
  api: PLUGIN_API_VERSION,
  stability: 'development',
  description: 'Test sink: keeps every batch it receives.',
  config: z.strictObject({ delay_ms: z.number().default(0).describe('Wait this long in every consume (a slow downstream).') }),
  create: (ctx, config: { delay_ms: number }) => {
    const batches = recorded.get(ctx.id) ?? [];
    recorded.set(ctx.id, batches);
    return {
      consume: async (batch) => {
        if (config.delay_ms > 0) await new Promise((r) => setTimeout(r, config.delay_ms));
        batches.push(batch);
      },
    };
  },
};
export default manifest;
