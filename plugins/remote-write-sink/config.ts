import { z } from 'zod';
import { byteSize, duration } from '../../host/config/schema.js';

const basicAuth = z
  .strictObject({
    username: z.string().min(1).describe('User name sent with HTTP basic authentication.'),
    password: z.string().describe('Password sent with HTTP basic authentication.'),
  })
  .describe('HTTP basic authentication for this URL.');

const auth = {
  headers: z.record(z.string(), z.string()).optional().describe('Extra HTTP headers sent with every request, e.g. a tenant header for Mimir.'),
  bearer_token: z.string().min(1).optional().describe('Sent as `Authorization: Bearer <token>`.'),
  basic_auth: basicAuth.optional(),
};

const target = z.union([
  z.url({ protocol: /^https?$/ }).describe('A remote_write endpoint URL.'),
  z
    .strictObject({
      url: z.url({ protocol: /^https?$/ }).describe('The remote_write endpoint URL.'),
      ...auth,
    })
    .describe('A remote_write endpoint with its own headers and credentials (they override the sink-wide ones).'),
]);

export const remoteWriteSinkSchema = z
  .strictObject({
    urls: z
      .array(target)
      .min(1)
      .describe(
        'Where to send. Every URL gets all the data, through its own on-disk queue and senders (like vmagent -remoteWrite.url). ' +
          '`{tenant}` in a URL is replaced by the batch\'s `<account>:<project>`, for VictoriaMetrics cluster (`/insert/{tenant}/prometheus/api/v1/write`).',
      ),
    protocol: z.union([z.literal(1), z.literal(2)]).default(1).describe('remote_write protocol version: 1 (prometheus.WriteRequest) or 2 (io.prometheus.write.v2.Request).'),
    max_batch_samples: z.number().int().min(1).default(10_000).describe('Most samples in one request.'),
    max_batch_bytes: byteSize('Most uncompressed protobuf bytes in one request.', '8MiB'),
    flush_interval: duration('How long queued data may wait for a request to fill up to max_batch_samples before it is sent anyway.', '1s'),
    concurrency: z.number().int().min(1).max(64).default(2).describe('Requests in flight per URL. With more than 1, requests may arrive out of order.'),
    timeout: duration('Deadline of one HTTP request.', '30s'),
    retry_min_interval: duration('First retry delay after a 5xx, 429 or network error; doubled per attempt, with jitter.', '1s'),
    retry_max_interval: duration('Longest retry delay.', '1m'),
    ...auth,
    tmp_data_path: z.string().min(1).optional().describe('Folder for the on-disk queues, one subfolder per URL. Default: the component\'s data directory.'),
    max_disk_usage_per_url: byteSize('Bound of one URL\'s on-disk queue; past it the oldest data is dropped and counted. 0 means unbounded.', '1GiB'),
    queue_segment_size: byteSize('Size at which a queue segment file is closed and a new one started.', '32MiB'),
    fsync: z
      .enum(['batch', 'interval'])
      .default('interval')
      .describe(
        'When queued data is forced to disk. Either way a batch is acknowledged only after it is written to the queue file, which survives kill -9; ' +
          '`batch` also fsyncs before acknowledging (survives power loss, slower), `interval` fsyncs every fsync_interval.',
      ),
    fsync_interval: duration('Period of fsync with `fsync: interval`.', '1s'),
    label_cache_series: z.number().int().min(0).default(1_000_000).describe('Series whose encoded labels are cached; past it the cache starts over.'),
  })
  .describe('Sends samples to remote_write endpoints through persistent on-disk queues.');

export type RemoteWriteSinkConfig = z.output<typeof remoteWriteSinkSchema>;

/** One URL with its effective headers (auth resolved into them). */
export interface TargetConfig {
  url: string;
  headers: Record<string, string>;
}

/** Resolves per-URL settings over the sink-wide ones into plain headers. */
export function resolveTargets(config: RemoteWriteSinkConfig): TargetConfig[] {
  return config.urls.map((t) => {
    const own = typeof t === 'string' ? { url: t } : t;
    const headers: Record<string, string> = { ...config.headers, ...own.headers };
    const bearer = own.bearer_token ?? (own.basic_auth ? undefined : config.bearer_token);
    const basic = own.basic_auth ?? (own.bearer_token ? undefined : config.basic_auth);
    if (bearer !== undefined) headers.authorization = `Bearer ${bearer}`;
    else if (basic) headers.authorization = `Basic ${Buffer.from(`${basic.username}:${basic.password}`).toString('base64')}`;
    return { url: own.url, headers };
  });
}
