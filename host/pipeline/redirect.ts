import type { SampleBatch } from '../batch/sample-batch.js';
import type { Consumer } from '../plugin/manifest.js';

/** A consumer whose target can be repointed while batches flow: how a running graph is rewired. */
export class Redirect implements Consumer {
  target: Consumer;

  constructor(target: Consumer = { consume: async () => undefined }) {
    this.target = target;
  }

  consume(batch: SampleBatch): Promise<void> {
    return this.target.consume(batch);
  }
}
