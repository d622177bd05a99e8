import type { LabelledCounter, LabelledGauge, LabelledHistogram, PluginMetrics } from '../../host/telemetry/plugin-metrics.js';

/** The remote_write sink's self-metrics; every series carries `url` (credentials removed). */
export interface SinkMetrics {
  samplesSent: LabelledCounter;
  /** reason: `rejected` (4xx other than 429), `disk_limit` (max_disk_usage_per_url), `corrupt` (unreadable queue data). */
  samplesDropped: LabelledCounter;
  /** status: the HTTP status, or `network` when there was no answer. */
  requests: LabelledCounter;
  retries: LabelledCounter;
  /** how: `forwarded` (the request as received, SampleBatch.wire) or `encoded` (from the rows). */
  blocks: LabelledCounter;
  queueBytes: LabelledGauge;
  pendingBytes: LabelledGauge;
  sendDuration: LabelledHistogram;
}

export function sinkMetrics(m: PluginMetrics): SinkMetrics {
  return {
    samplesSent: m.counter({ name: 'sluice_remote_write_samples_sent_total', help: 'Samples the remote_write endpoint acknowledged.', labelNames: ['url'] }),
    samplesDropped: m.counter({
      name: 'sluice_remote_write_samples_dropped_total',
      help: 'Samples given up on, by reason: rejected (the endpoint answered 4xx), disk_limit (queue over max_disk_usage_per_url), corrupt (unreadable queue data).',
      labelNames: ['url', 'reason'],
    }),
    requests: m.counter({ name: 'sluice_remote_write_requests_total', help: 'remote_write requests by outcome: HTTP status, or network.', labelNames: ['url', 'status'] }),
    retries: m.counter({ name: 'sluice_remote_write_retries_total', help: 'Requests retried after a 5xx, 429 or network error.', labelNames: ['url'] }),
    blocks: m.counter({
      name: 'sluice_remote_write_blocks_total',
      help: 'Blocks written to the on-disk queue, by how: forwarded (a remote_write 1.0 request sent on as received, nothing re-encoded) or encoded (from the rows).',
      labelNames: ['url', 'how'],
    }),
    queueBytes: m.gauge({ name: 'sluice_remote_write_queue_disk_bytes', help: 'Bytes of the on-disk queue, delivered segments not yet deleted included.', labelNames: ['url'] }),
    pendingBytes: m.gauge({ name: 'sluice_remote_write_pending_bytes', help: 'Queued bytes not yet delivered.', labelNames: ['url'] }),
    sendDuration: m.histogram({
      name: 'sluice_remote_write_send_duration_seconds',
      help: 'Duration of one remote_write request, whatever its outcome.',
      labelNames: ['url'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    }),
  };
}
