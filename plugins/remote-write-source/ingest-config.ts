import { z } from 'zod';
import { byteSize } from '../../host/config/schema.js';
import type { LabelLimits } from '../../host/wire/series-key-builder.js';
import { tenantsSchema } from './tenant-auth.js';

/** Config fields every ingest source has: size and label limits, batching, tenants. */
export const ingestFields = {
  max_request_bytes: byteSize('Largest request body accepted, checked on the body as sent and again on its decompressed size (413 beyond).', '32MiB'),
  max_batch_samples: z.number().int().min(1).default(10_000).describe('Most samples in one batch passed downstream; a larger request is split into several batches.'),
  max_labels_per_series: z.number().int().min(1).default(100).describe('A series with more labels than this is refused (400): a guard against label bombs.'),
  max_label_value_length: z.number().int().min(1).default(4096).describe('A label name or value longer than this many bytes is refused (400).'),
  utf8_label_names: z.boolean().default(false).describe('Accept any UTF-8 label name (Prometheus 3); otherwise names must match [a-zA-Z_][a-zA-Z0-9_]*.'),
  tenants: tenantsSchema,
};

export interface IngestConfig {
  max_request_bytes: number;
  max_batch_samples: number;
  max_labels_per_series: number;
  max_label_value_length: number;
  utf8_label_names: boolean;
}

export function labelLimits(c: IngestConfig): LabelLimits {
  return { maxLabelsPerSeries: c.max_labels_per_series, maxLabelValueLength: c.max_label_value_length, utf8Names: c.utf8_label_names };
}
