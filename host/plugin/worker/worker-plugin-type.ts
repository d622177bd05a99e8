import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { SampleBatch } from '../../batch/sample-batch.js';
import { PluginLoadError, SluiceError, type ConfigIssue } from '../../errors.js';
import type { Generation } from '../../pipeline/component-slot.js';
import { pluginMetrics } from '../../telemetry/plugin-metrics.js';
import type { HostServices } from '../create-context.js';
import type { Component, Consumer } from '../manifest.js';
import type { PluginType } from '../plugin-type.js';
import type { LoadedManifest, Notice, ReplyEnvelope, Request } from './protocol.js';
import { refsOf, toWire } from './wire-batch.js';
import { answerResolve, newSeries, RESOLVE_SLOTS } from './worker-series.js';

const WORKER_ENTRY = new URL(import.meta.url.endsWith('.ts') ? './dev-entry.mjs' : './worker-main.js', import.meta.url);

/** An error that crossed the thread boundary, keeping its retryable flag. */
class RemoteError extends SluiceError {
  constructor(message: string, retryable: boolean, code = 'SLUICE_ERR_PLUGIN') {
    super(code, message, { retryable, status: 500 });
  }
}

interface Instance {
  id: string;
  next: Consumer;
  services: HostServices;
}

/**
 * A drop-in plugin type, run in a worker thread of its own. Replacing the file loads the new
 * module in a new worker and terminates the old one, which frees the old module for good
 * (re-importing in-process leaks every version, DESIGN §4).
 */
export async function loadWorkerType(file: string, entry: string): Promise<PluginType> {
  const shared = new SharedArrayBuffer(RESOLVE_SLOTS * 4);
  const worker = new Worker(WORKER_ENTRY, { workerData: { shared } });
  worker.unref();
  // Refs whose labels this worker has been sent; the host's index tells us when they go away.
  const sent = new Set<number>();
  let services: HostServices | undefined;
  let unsubscribe: (() => void) | undefined;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  const instances = new Map<number, Instance>();
  let nextId = 0;
  let exited: Error | undefined;

  const call = (req: Request, transfer: ArrayBuffer[] = []): Promise<unknown> => {
    if (exited) return Promise.reject(exited);
    const id = ++nextId;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, req }, transfer);
    });
  };

  worker.on('message', (msg: ReplyEnvelope | Notice) => {
    if ('reply' in msg) {
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      if (!p) return;
      if (msg.reply.ok) p.resolve(msg.reply.value);
      else p.reject(Object.assign(new RemoteError(msg.reply.error.message, msg.reply.error.retryable ?? false, msg.reply.error.code), { issues: msg.reply.error.issues }));
      return;
    }
    onNotice(msg);
  });
  worker.on('error', (err) => failAll(err));
  worker.on('exit', (code) => failAll(new RemoteError(`plugin worker for ${file} exited with code ${code}`, true)));

  function failAll(err: Error): void {
    exited ??= err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  }

  function onNotice(n: Notice): void {
    if (n.op === 'resolve') {
      if (!services) return;
      const ref = answerResolve(shared, services.series, n.series);
      if (ref !== undefined) sent.add(ref);
      return;
    }
    const inst = instances.get(n.cid);
    if (!inst) return;
    if (n.op === 'emit') {
      const batch: SampleBatch = { ...n.batch };
      inst.next.consume(batch).then(
        () => worker.postMessage({ seq: n.seq, emitted: n.seq }),
        (err: Error) => worker.postMessage({ seq: n.seq, emitted: n.seq, error: { message: err.message, retryable: err instanceof SluiceError ? err.retryable : true } }),
      );
    } else if (n.op === 'log') {
      const { level, msg, time: _t, pid: _p, hostname: _h, ...rest } = n.obj as { level: number; msg?: string; time?: unknown; pid?: unknown; hostname?: unknown };
      const logger = inst.services.logger.child({ component: inst.id });
      const method = PINO_LEVELS[level] ?? 'info';
      logger[method](rest, msg ?? '');
    } else if (n.op === 'metric') {
      const m = pluginMetrics(inst.services.registry, inst.id);
      const opts = { name: n.name, help: n.help, labelNames: Object.keys(n.labels) };
      if (n.kind === 'counter') m.counter(opts).inc(n.labels, n.value);
      else if (n.set) m.gauge(opts).set(n.labels, n.value);
      else m.gauge(opts).inc(n.labels, n.value);
    }
  }

  let meta: LoadedManifest;
  try {
    meta = (await call({ op: 'load', file: entry })) as LoadedManifest;
  } catch (err) {
    await worker.terminate();
    throw new PluginLoadError(`Cannot load plugin ${file}: ${(err as Error).message}`, err);
  }

  let nextCid = 0;
  return {
    ...meta,
    origin: 'drop-in',
    source: file,
    hash: contentHash(file),
    async validate(config, path) {
      try {
        return { ok: true, value: await call({ op: 'validate', config, path }) };
      } catch (err) {
        const issues = (err as { issues?: ConfigIssue[] }).issues;
        if (issues) return { ok: false, issues };
        return { ok: false, issues: [{ path, message: (err as Error).message }] };
      }
    },
    async instantiate(host, id, generation, config, next): Promise<Generation> {
      const cid = ++nextCid;
      if (!services) {
        services = host;
        unsubscribe = host.series.onDelete((refs) => {
          for (const r of refs) sent.delete(r);
          void call({ op: 'forget', refs: refs.slice() }).catch(() => undefined);
        });
      }
      instances.set(cid, { id, next, services: host });
      try {
        await call({ op: 'create', cid, id, generation, config, dataDir: join(host.dataRoot, id.replace(/[^a-zA-Z0-9_.-]/g, '_')) });
      } catch (err) {
        instances.delete(cid);
        throw new PluginLoadError(`Cannot create ${id}: ${(err as Error).message}`, err);
      }
      const method = (name: 'start' | 'flush' | 'stop' | 'snapshot' | 'restore' | 'update') => (arg?: unknown) => call({ op: 'call', cid, method: name, arg });
      const component: Component = {
        start: method('start') as () => Promise<void>,
        flush: method('flush') as () => Promise<void>,
        stop: method('stop') as () => Promise<void>,
        snapshot: method('snapshot'),
        restore: method('restore') as (s: unknown) => Promise<void>,
        update: method('update') as (c: unknown) => Promise<boolean>,
        ...(meta.kind === 'source'
          ? {}
          : {
              consume: async (batch: SampleBatch) => {
                const wire = toWire(batch);
                const refs = refsOf(batch);
                const fresh = newSeries(refs, refs.length, sent, host.series);
                if (fresh) wire.batch.series = fresh;
                await call({ op: 'consume', cid, batch: wire.batch }, wire.transfer);
              },
            }),
      };
      return {
        number: generation,
        component,
        teardown: async () => {
          await call({ op: 'dispose', cid }).catch(() => undefined);
          instances.delete(cid);
        },
      };
    },
    async dispose() {
      unsubscribe?.();
      await worker.terminate();
    },
  };
}

const PINO_LEVELS: Record<number, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/** A short content hash of a plugin file, or of every file in a plugin folder. */
export function contentHash(path: string): string {
  const h = createHash('sha256');
  const add = (p: string) => {
    if (statSync(p).isDirectory()) for (const name of readdirSync(p).sort()) add(join(p, name));
    else h.update(p).update(readFileSync(p));
  };
  add(path);
  return h.digest('hex').slice(0, 16);
}
