import { afterEach, describe, expect, it } from 'vitest';
import type { SampleBatch } from '../../host/batch/sample-batch.js';
import { encodeV1Reference } from '../../host/wire/encode-reference.js';
import { snappyCompress } from '../../host/wire/encode-snappy.js';
import { recorded } from '../kit/plugins/recording-sink.js';
import { createHost } from '../kit/test-host.js';

function body(n: number, seq: number): Uint8Array {
  const batch: SampleBatch = { tenant: { accountId: 0, projectId: 0 }, length: n, refs: Uint32Array.from({ length: n }, (_, i) => i), ts: new Float64Array(n).fill(seq), values: new Float64Array(n).fill(seq) };
  return snappyCompress(encodeV1Reference(batch, 0, n, (ref) => [{ name: '__name__', value: 'x' }, { name: 'i', value: String(ref) }]));
}

describe('back-pressure through a pipeline', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    recorded.clear();
  });

  it('a full pipeline makes remote_write answer 503 with Retry-After, never 429, and keeps every acknowledged sample', async () => {
    const { host, cleanup } = await createHost({
      listenAddress: '127.0.0.1:0',
      config: {
        sources: { 'remote_write/in': {} },
        sinks: { 'recording/slow': { delay_ms: 200 } },
        pipelines: { p: { sources: ['remote_write/in'], sinks: ['recording/slow'], edge: { max_samples: 10, max_block: '50ms', ack: 'queued' } } },
      },
    });
    await host.start();
    stop = async () => {
      await host.stop();
      cleanup();
    };
    const send = (seq: number) =>
      fetch(`${host.url}/api/v1/write`, { method: 'POST', body: body(10, seq), headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' } });
    const responses = await Promise.all([1, 2, 3, 4].map(send));
    const codes = responses.map((r) => r.status);
    expect(codes).toContain(204);
    expect(codes).toContain(503);
    expect(codes).not.toContain(429);
    for (const r of responses.filter((x) => x.status === 503)) {
      expect(r.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await r.text()).toMatch(/full/);
    }
    await host.graph!.pipelines.get('p')!.edge.drain();
    const delivered = recorded.get('recording/slow')!.reduce((n, b) => n + b.length, 0);
    expect(delivered).toBe(codes.filter((c) => c === 204).length * 10);
  });
});
