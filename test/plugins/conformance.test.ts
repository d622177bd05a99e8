import { afterAll, describe, expect, it } from 'vitest';
import type { SampleBatch } from '../../host/batch/sample-batch.js';
import { loadBuiltinTypes } from '../../host/plugin/builtin-plugins.js';
import { createTestHost } from '../kit/context.js';
import { RecordingConsumer } from '../kit/recording-consumer.js';

/**
 * The lifecycle every built-in plugin must survive, run against each one with its manifest's
 * example config: create, start, consume, snapshot → restore into a new generation, flush, stop
 * twice; and stop without start.
 */
const { types, errors } = await loadBuiltinTypes();
const host = createTestHost();
afterAll(() => host.cleanup());

function sampleBatch(): SampleBatch {
  const tenant = { accountId: 0, projectId: 0 };
  const refs = ['a', 'b', 'c'].map((v) => host.series.resolve(tenant, [{ name: '__name__', value: 'conformance_total' }, { name: 'job', value: v }]));
  const now = host.clock.now();
  return { tenant, length: 3, refs: Uint32Array.from(refs), ts: Float64Array.from([now, now, now]), values: Float64Array.from([1, 2, 3]) };
}

describe('built-in plugins', () => {
  it('all load', () => {
    expect(errors.map((e) => e.message)).toEqual([]);
    expect(types.length).toBeGreaterThan(0);
  });
});

describe.each(types.map((t) => [`${t.kind} ${t.type}`, t] as const))('%s conformance', (_name, type) => {
  const id = `${type.type}/conformance`;

  it('validates its example config', async () => {
    const r = await type.validate(type.example ?? {}, id);
    expect(r.ok ? [] : r.issues).toEqual([]);
  });

  it('starts, consumes, hands its state to a new generation, flushes and stops twice', async () => {
    const r = await type.validate(type.example ?? {}, id);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const next = new RecordingConsumer();
    const gen1 = await type.instantiate(host, id, 1, r.value, next);
    await gen1.component.start?.();
    if (type.kind !== 'source') await gen1.component.consume?.(sampleBatch());
    const state = await gen1.component.snapshot?.();
    await gen1.component.stop?.();
    await gen1.teardown();

    const gen2 = await type.instantiate(host, id, 2, r.value, next);
    if (state !== undefined) await gen2.component.restore?.(structuredClone(state));
    await gen2.component.start?.();
    if (type.kind !== 'source') await gen2.component.consume?.(sampleBatch());
    await gen2.component.flush?.();
    await gen2.component.stop?.();
    await gen2.component.stop?.();
    await gen2.teardown();
  });

  it('stops without having been started', async () => {
    const r = await type.validate(type.example ?? {}, id);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const gen = await type.instantiate(host, `${id}-unstarted`, 1, r.value, new RecordingConsumer());
    await gen.component.stop?.();
    await gen.teardown();
  });
});
