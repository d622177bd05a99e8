import { z } from 'zod';
import { byteSize, duration } from './schema.js';

/** A component id: `type` or `type/name`. */
export const COMPONENT_ID_RE = /^([a-z][a-z0-9_]*)(?:\/([A-Za-z0-9_.:-]+))?$/;

export const edgeSchema = z
  .strictObject({
    max_samples: z.number().int().positive().default(2_000_000).describe('Samples the pipeline buffers between its sources and processors.'),
    max_bytes: byteSize('Bytes the pipeline buffers between its sources and processors.', '256MiB'),
    overflow: z.enum(['block', 'drop_newest']).default('block').describe('What a full buffer does: block the source (which answers 503 after max_block), or drop the newest batch and count it.'),
    max_block: duration('How long a source may wait for room before it gives up with a retryable error (503).', '2s'),
    ack: z
      .enum(['delivered', 'queued'])
      .default('delivered')
      .describe('When a source may acknowledge its sender: once the batch reached every sink (and their persistent queues), or once it is buffered in memory.'),
    retry_backoff: duration('Pause before redelivering a batch a processor or sink refused with a retryable error.', '100ms'),
  })
  .describe('The bounded buffer at the head of the pipeline.');

export const pipelineSchema = z
  .strictObject({
    sources: z.array(z.string()).min(1).describe('Source ids feeding this pipeline.'),
    processors: z.array(z.string()).default([]).describe('Processor ids, applied in order.'),
    sinks: z.array(z.string()).default([]).describe('Sink ids; every batch goes to all of them. May be empty when the last processor delivers itself (route).'),
    edge: edgeSchema.prefault({}),
  })
  .refine((p) => p.sinks.length > 0 || p.processors.length > 0, { message: 'a pipeline needs at least one sink (or a processor that delivers, such as route)', path: ['sinks'] });

const components = (what: string) => z.record(z.string(), z.unknown()).default({}).describe(`${what} by id (\`type\` or \`type/name\`); each value is that plugin's config.`);

export const configSchema = z.strictObject({
  sources: components('Sources'),
  processors: components('Processors'),
  sinks: components('Sinks'),
  queries: components('Query-side components'),
  pipelines: z.record(z.string(), pipelineSchema).describe('Pipelines by name: which sources feed which processors and sinks.'),
  storage: z
    .strictObject({
      path: z.string().default('sluice-data').describe('Directory for persistent state: queues, snapshots, the series index.'),
    })
    .prefault({}),
});

export type SluiceConfig = z.output<typeof configSchema>;
export type PipelineConfig = z.output<typeof pipelineSchema>;
export type EdgeConfig = z.output<typeof edgeSchema>;
