import { describe, expect, it } from 'vitest';
import type { SampleBatch } from '../../host/batch/sample-batch.js';
import { BackpressureError, BadInputError, DownstreamError } from '../../host/errors.js';
import { Edge, type EdgeOptions } from '../../host/pipeline/edge.js';

const opts = (o: Partial<EdgeOptions> = {}): EdgeOptions => ({ maxSamples: 10, maxBytes: 1 << 20, overflow: 'block', maxBlockMs: 50, retryBackoffMs: 1, ...o });

function batch(n: number, tag = 0): SampleBatch {
  return { tenant: { accountId: 0, projectId: 0 }, length: n, refs: new Uint32Array(n).fill(tag), ts: new Float64Array(n), values: new Float64Array(n) };
}

/** A consumer the test releases by hand. */
function gate() {
  const seen: number[] = [];
  let open!: () => void;
  let opened = new Promise<void>((r) => (open = r));
  return {
    seen,
    deliver: async (b: SampleBatch) => {
      await opened;
      seen.push(b.refs[0]!);
    },
    open: () => open(),
    close: () => (opened = new Promise<void>((r) => (open = r))),
  };
}

describe('edge', () => {
  it('delivers batches in order, one at a time', async () => {
    const seen: number[] = [];
    let active = 0;
    const edge = new Edge('e', opts({ maxSamples: 100 }), async (b) => {
      expect(++active).toBe(1);
      await new Promise((r) => setTimeout(r, 1));
      seen.push(b.refs[0]!);
      active--;
    });
    await Promise.all([1, 2, 3, 4, 5].map((i) => edge.push(batch(1, i))));
    await edge.drain();
    expect(seen).toEqual([1, 2, 3, 4, 5]);
  });

  it('a full edge with block waits, then fails with a retryable BackpressureError', async () => {
    const g = gate();
    const edge = new Edge('e', opts(), g.deliver);
    await edge.push(batch(6, 1));
    await edge.push(batch(4, 2));
    const err = await edge.push(batch(1, 3)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackpressureError);
    expect((err as BackpressureError).retryable).toBe(true);
    expect((err as BackpressureError).status).toBe(503);
    expect(edge.stats.blockedMs).toBeGreaterThan(0);
    g.open();
    await edge.drain();
    expect(g.seen).toEqual([1, 2]);
  });

  it('a blocked push goes through as soon as room frees up', async () => {
    const g = gate();
    // Far longer than the test's own timeout: the push must be woken by the freed room.
    const edge = new Edge('e', opts({ maxBlockMs: 600_000 }), g.deliver);
    await edge.push(batch(10, 1));
    setTimeout(() => g.open(), 20);
    await edge.push(batch(5, 3));
    await edge.drain();
    expect(g.seen).toEqual([1, 3]);
  });

  it('drop_newest drops and counts instead of blocking', async () => {
    const g = gate();
    const edge = new Edge('e', opts({ overflow: 'drop_newest' }), g.deliver);
    await edge.push(batch(8, 1));
    await edge.push(batch(2, 2));
    await edge.push(batch(5, 3));
    expect(edge.stats.dropped.overflow).toBe(5);
    g.open();
    await edge.drain();
    expect(g.seen).toEqual([1, 2]);
  });

  it('awaitDelivery resolves only once the batch was delivered', async () => {
    const g = gate();
    const edge = new Edge('e', opts(), g.deliver);
    let done = false;
    const p = edge.push(batch(1, 7), { awaitDelivery: true }).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(done).toBe(false);
    g.open();
    await p;
    expect(g.seen).toEqual([7]);
  });

  it('redelivers after a retryable error and drops (counted, reported) after a permanent one', async () => {
    let failures = 2;
    const seen: number[] = [];
    const edge = new Edge('e', opts(), async (b) => {
      if (b.refs[0] === 1 && failures-- > 0) throw new DownstreamError('down', { retryable: true });
      if (b.refs[0] === 2) throw new BadInputError('bad');
      seen.push(b.refs[0]!);
    });
    const reported: unknown[] = [];
    edge.onPermanentError = (err) => reported.push(err);
    await edge.push(batch(1, 1));
    const permanent = edge.push(batch(3, 2), { awaitDelivery: true });
    await expect(permanent).rejects.toBeInstanceOf(BadInputError);
    await edge.push(batch(1, 3));
    await edge.drain();
    expect(seen).toEqual([1, 3]);
    expect(edge.stats.dropped.permanent_error).toBe(3);
    expect(reported).toHaveLength(1);
  });

  it('a closed edge refuses pushes but still delivers what it holds', async () => {
    const g = gate();
    const edge = new Edge('e', opts(), g.deliver);
    await edge.push(batch(1, 1));
    edge.close();
    await expect(edge.push(batch(1, 2))).rejects.toMatchObject({ code: 'SLUICE_ERR_SHUTTING_DOWN' });
    g.open();
    await edge.drain();
    expect(g.seen).toEqual([1]);
  });
});
