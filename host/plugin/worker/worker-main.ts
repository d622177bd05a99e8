// Entry point of a drop-in plugin's worker thread: loads the plugin module, validates configs
// and runs its component instances, answering the host over postMessage (protocol.ts).
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import type { SampleBatch } from '../../batch/sample-batch.js';
import { describeSchema, validate, type ConfigSchema } from '../../config/schema.js';
import { PluginLoadError, SluiceError } from '../../errors.js';
import { createKernels } from '../../kernels/kernels.js';
import { systemClock, type PluginContext } from '../context.js';
import { manifestProblems, manifestSchema } from '../manifest-check.js';
import type { Component, PluginManifest } from '../manifest.js';
import { Timers } from '../timers.js';
import type { EmitAck, LoadedManifest, Notice, ReplyEnvelope, Request, RequestEnvelope, WireBatch } from './protocol.js';
import { toWire } from './wire-batch.js';
import { workerMetrics } from './worker-metrics.js';
import { WorkerSeries } from './worker-series.js';

const port = parentPort!;
let manifest: PluginManifest | undefined;
let schema: ConfigSchema | undefined;
const instances = new Map<number, { component: Component; timers: Timers; abort: AbortController }>();
const pendingEmits = new Map<number, { resolve(): void; reject(err: Error): void }>();
let emitSeq = 0;

const notify = (n: Notice, transfer: ArrayBuffer[] = []) => port.postMessage(n, transfer);
const series = new WorkerSeries((workerData as { shared: SharedArrayBuffer }).shared, notify);

port.on('message', (msg: RequestEnvelope | (EmitAck & { seq: number })) => {
  if ('emitted' in msg) return settleEmit(msg);
  void handle(msg.req).then(
    (value) => port.postMessage({ id: msg.id, reply: { ok: true, value } } satisfies ReplyEnvelope),
    (err: unknown) => port.postMessage({ id: msg.id, reply: { ok: false, error: describeError(err) } } satisfies ReplyEnvelope),
  );
});

function settleEmit(ack: EmitAck & { seq: number }): void {
  const pending = pendingEmits.get(ack.seq);
  pendingEmits.delete(ack.seq);
  if (!pending) return;
  if (ack.error) pending.reject(Object.assign(new Error(ack.error.message), { retryable: ack.error.retryable }));
  else pending.resolve();
}

async function handle(req: Request): Promise<unknown> {
  switch (req.op) {
    case 'load':
      return load(req.file);
    case 'validate': {
      const r = validate(schema!, req.config, req.path);
      if (!r.ok) throw Object.assign(new Error('invalid config'), { issues: r.issues });
      return r.value;
    }
    case 'create':
      return create(req.cid, req.id, req.generation, req.config, req.dataDir);
    case 'call': {
      const inst = instance(req.cid);
      const fn = inst.component[req.method] as ((arg?: unknown) => unknown) | undefined;
      return fn ? await fn.call(inst.component, req.arg) : undefined;
    }
    case 'consume':
      series.learn(req.batch.series);
      return instance(req.cid).component.consume?.(fromWire(req.batch));
    case 'forget':
      series.forget(req.refs);
      return undefined;
    case 'dispose': {
      const inst = instances.get(req.cid);
      inst?.timers.clearAll();
      inst?.abort.abort();
      instances.delete(req.cid);
      return undefined;
    }
  }
}

async function load(file: string): Promise<LoadedManifest> {
  let mod: { default?: unknown };
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (err) {
    throw new PluginLoadError(`cannot import ${file}: ${(err as Error).message}`);
  }
  const problems = manifestProblems(mod.default);
  if (problems.length > 0) throw new PluginLoadError(problems.join('; '));
  manifest = mod.default as PluginManifest;
  schema = manifestSchema(manifest);
  return {
    kind: manifest.kind,
    type: manifest.type,
    stability: manifest.stability,
    description: manifest.description,
    docs: describeSchema(schema),
    example: manifest.example,
  };
}

async function create(cid: number, id: string, generation: number, config: unknown, dataDir: string): Promise<void> {
  const timers = new Timers();
  const abort = new AbortController();
  const logger = pino({ level: 'trace' }, { write: (line: string) => notify({ op: 'log', cid, level: '', obj: JSON.parse(line) }) });
  const ctx: PluginContext = {
    id,
    generation,
    logger,
    metrics: workerMetrics((n) => notify({ ...n, cid })),
    timers,
    signal: abort.signal,
    series: series.view(),
    kernels: createKernels(),
    http: unavailable('ctx.http'),
    clock: systemClock,
    dataDir,
  };
  const next = {
    consume(batch: SampleBatch): Promise<void> {
      const seq = ++emitSeq;
      const wire = toWire(batch);
      return new Promise<void>((resolve, reject) => {
        pendingEmits.set(seq, { resolve, reject });
        notify({ op: 'emit', cid, seq, batch: wire.batch }, wire.transfer);
      });
    },
  };
  const component = await manifest!.create(ctx, config, next);
  instances.set(cid, { component, timers, abort });
}

function instance(cid: number) {
  const inst = instances.get(cid);
  if (!inst) throw new Error(`BUG: no component instance ${cid} in this worker`);
  return inst;
}

function fromWire(b: WireBatch): SampleBatch {
  return { tenant: b.tenant, length: b.length, refs: b.refs, ts: b.ts, values: b.values, ...(b.side ? { side: b.side } : {}) };
}

/** Host services a drop-in plugin cannot use from its worker (yet): a clear error, not undefined. */
function unavailable<T>(what: string): T {
  return new Proxy({}, {
    get: () => {
      throw new PluginLoadError(`${what} is not available to drop-in plugins, which run in a worker thread; use a built-in plugin for this`);
    },
  }) as T;
}

function describeError(err: unknown): { message: string; code?: string; retryable?: boolean; issues?: [] } {
  const e = err as Error & { issues?: []; retryable?: boolean };
  return {
    message: e?.message ?? String(err),
    ...(err instanceof SluiceError ? { code: err.code, retryable: err.retryable } : e?.retryable !== undefined ? { retryable: e.retryable } : {}),
    ...(e?.issues ? { issues: e.issues } : {}),
  };
}
