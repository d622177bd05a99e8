import { z } from 'zod';
import type { SampleBatch } from '../../../host/batch/sample-batch.js';
import { PLUGIN_API_VERSION, type Component, type PluginManifest } from '../../../host/plugin/manifest.js';

/** A source the test drives by hand: `push()` sends a batch into the pipeline. */
export interface ManualSource extends Component {
  push(batch: SampleBatch): Promise<void>;
}

const manifest: PluginManifest = {
  kind: 'source',
  type: 'manual',
  api: PLUGIN_API_VERSION,
  stability: 'development',
  description: 'Test source: the test pushes batches by hand.',
  config: z.strictObject({}),
  create: (_ctx, _config, next): ManualSource => ({ push: (batch) => next.consume(batch) }),
};
export default manifest;
