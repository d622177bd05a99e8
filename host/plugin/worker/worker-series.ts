import type { Tenant } from '../../batch/tenant.js';
import { LimitExceededError, PluginLoadError } from '../../errors.js';
import type { Labels } from '../../series/labels.js';
import type { SeriesIndex } from '../../series/series-index.js';
import type { Notice, WireSeries } from './protocol.js';

/** Shared between a worker and the host: [state, ref]. State 0 = waiting, 1 = done, 2 = refused. */
export const RESOLVE_SLOTS = 2;
const WAITING = 0;
const DONE = 1;
const REFUSED = 2;

/**
 * The series index as a drop-in plugin's worker sees it: labels of every ref it was sent (they
 * travel with the batches), and `resolve` as a synchronous call to the host's index — the worker
 * blocks on a shared buffer while the host's thread answers.
 */
export class WorkerSeries {
  #known = new Map<number, { tenant: Tenant; labels: Labels }>();
  #cell: Int32Array;
  #send: (n: Notice) => void;

  constructor(shared: SharedArrayBuffer, send: (n: Notice) => void) {
    this.#cell = new Int32Array(shared);
    this.#send = send;
  }

  learn(series: WireSeries[] | undefined): void {
    for (const s of series ?? []) this.#known.set(s.ref, { tenant: s.tenant, labels: s.labels });
  }

  forget(refs: Uint32Array): void {
    for (const r of refs) this.#known.delete(r);
  }

  /** The subset of SeriesIndex a worker can serve; the rest says clearly that it cannot. */
  view(): SeriesIndex {
    const known = (ref: number) => {
      const s = this.#known.get(ref);
      if (!s) throw new RangeError(`series ref ${ref} was never sent to this drop-in plugin`);
      return s;
    };
    const served: Partial<SeriesIndex> = {
      resolve: (tenant, labels) => this.#resolve(tenant, labels),
      labels: (ref) => known(ref).labels,
      tenant: (ref) => known(ref).tenant,
      has: (ref) => this.#known.has(ref),
    };
    return new Proxy(served as SeriesIndex, {
      get(target, prop) {
        if (prop in target) return target[prop as keyof SeriesIndex];
        throw new PluginLoadError(`ctx.series.${String(prop)} is not available to drop-in plugins (they run in a worker); resolve, labels, tenant and has are`);
      },
    });
  }

  #resolve(tenant: Tenant, labels: Labels): number {
    Atomics.store(this.#cell, 0, WAITING);
    const series = { tenant: { accountId: tenant.accountId, projectId: tenant.projectId }, labels: labels.map((l) => ({ name: l.name, value: l.value })) };
    this.#send({ op: 'resolve', series });
    if (Atomics.wait(this.#cell, 0, WAITING, 30_000) === 'timed-out') throw new PluginLoadError('the host did not answer ctx.series.resolve within 30s');
    if (Atomics.load(this.#cell, 0) === REFUSED) throw new LimitExceededError(`series refused by the host's series index: ${JSON.stringify(series.labels)}`);
    const ref = Atomics.load(this.#cell, 1) >>> 0;
    this.#known.set(ref, series);
    return ref;
  }
}

/** The host's side of a worker's resolve: answer through the shared buffer and wake the worker. */
export function answerResolve(shared: SharedArrayBuffer, index: SeriesIndex, s: Omit<WireSeries, 'ref'>): number | undefined {
  const cell = new Int32Array(shared);
  let ref: number | undefined;
  try {
    ref = index.resolve(s.tenant, s.labels);
    Atomics.store(cell, 1, ref | 0);
    Atomics.store(cell, 0, DONE);
  } catch {
    Atomics.store(cell, 0, REFUSED);
  }
  Atomics.notify(cell, 0);
  return ref;
}

/** Which refs of a batch a worker has not seen yet, with their labels; remembers them as sent. */
export function newSeries(refs: Uint32Array, length: number, sent: Set<number>, index: SeriesIndex): WireSeries[] | undefined {
  let out: WireSeries[] | undefined;
  for (let i = 0; i < length; i++) {
    const ref = refs[i]!;
    if (sent.has(ref)) continue;
    sent.add(ref);
    if (!index.has(ref)) continue;
    const t = index.tenant(ref);
    (out ??= []).push({ ref, tenant: { accountId: t.accountId, projectId: t.projectId }, labels: index.labels(ref).map((l) => ({ name: l.name, value: l.value })) });
  }
  return out;
}
