import { existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { readConfigFile } from './config/load-config.js';
import { validateConfig, type ValidConfig } from './config/validate-config.js';
import { ConfigError, type ConfigIssue } from './errors.js';
import { DynamicRouter } from './http/dynamic-router.js';
import { registerHostRoutes, type PluginStatus } from './http/host-routes.js';
import { createHttpServer } from './http/server.js';
import { kernelStats, instrument, type KernelStats } from './kernels/instrument.js';
import { createKernels, type KernelMode, type Kernels } from './kernels/kernels.js';
import { Graph } from './pipeline/graph.js';
import { loadBuiltinTypes } from './plugin/builtin-plugins.js';
import { systemClock, type Clock } from './plugin/context.js';
import type { HostServices } from './plugin/create-context.js';
import { DropInWatcher } from './plugin/drop-in-dir.js';
import { DropInManager } from './plugin/drop-in-manager.js';
import { DropInReconciler } from './plugin/drop-in-reconciler.js';
import { TypeRegistry } from './plugin/type-registry.js';
import { createSeriesIndex } from './series/create-series-index.js';
import type { SeriesIndex } from './series/series-index.js';
import { HostMetrics } from './telemetry/host-metrics.js';
import { createLogger } from './telemetry/logger.js';
import { createRegistry } from './telemetry/registry.js';

const SERIES_INDEX_FILE = 'series-index.bin';

export interface HostOptions {
  /** YAML config file; re-read on reload. */
  configFile?: string;
  /** A config given as data (flag-built pipelines, tests); used when there is no file. */
  config?: unknown;
  /** The drop-in plugin directory, watched while the host runs. */
  pluginsDir?: string;
  /** `host:port` to serve HTTP on; none when undefined. */
  listenAddress?: string;
  enableLifecycle?: boolean;
  shutdownTimeoutMs?: number;
  maxBodyBytes?: number;
  logger?: Logger;
  series?: SeriesIndex;
  kernels?: Kernels;
  clock?: Clock;
  /** Which kernel builds to use when `kernels` is not given (default auto: SIMD, else scalar). */
  kernelMode?: KernelMode;
  /** The series index implementation when `series` is not given (default wasm). */
  seriesImplementation?: 'wasm' | 'reference';
  /** Watch the drop-in directory (default true); tests may drive `syncPlugins()` by hand. */
  watchPlugins?: boolean;
}

/**
 * The program: loads plugin types, validates the config, runs the graph, serves HTTP, and keeps
 * itself current as the config file and the drop-in directory change. Reloads and plugin changes
 * run one at a time; a change that fails leaves what runs untouched and is reported.
 */
export class Host {
  readonly registry: Registry = createRegistry();
  readonly types = new TypeRegistry();
  readonly logger: Logger;
  readonly metrics: HostMetrics;
  #opts: HostOptions;
  #graph: Graph | undefined;
  #services: HostServices | undefined;
  #dropIns: DropInManager | undefined;
  #reconciler: DropInReconciler | undefined;
  #watcher: DropInWatcher | undefined;
  #app: FastifyInstance | undefined;
  #router = new DynamicRouter();
  #url: string | undefined;
  #ready = false;
  #valid: ValidConfig | undefined;
  #errors = new Map<string, string>();
  #serial: Promise<unknown> = Promise.resolve();
  #kernelStats: KernelStats = kernelStats(this.registry);

  constructor(opts: HostOptions) {
    this.#opts = opts;
    this.logger = opts.logger ?? createLogger({ level: 'info', format: 'logfmt' });
    this.metrics = new HostMetrics(this.registry, () =>
      [...(this.#graph?.pipelines.values() ?? [])].map((p) => ({
        pipeline: p.name,
        samples: p.edge.stats.queuedSamples,
        bytes: p.edge.stats.queuedBytes,
        maxSamples: p.config.edge.max_samples,
        maxBytes: p.config.edge.max_bytes,
        blockedMs: p.edge.stats.blockedMs,
      })),
    );
  }

  /** Loads types and config and reports every problem, starting nothing (`--dry-run`). */
  async validate(): Promise<ConfigIssue[]> {
    try {
      await this.#loadTypes();
      const r = await validateConfig(await this.#readConfig(), this.types);
      return r.ok ? [] : r.issues;
    } catch (err) {
      if (err instanceof ConfigError) return err.issues;
      throw err;
    } finally {
      for (const s of this.#dropIns?.states ?? []) await s.type?.dispose();
    }
  }

  async start(): Promise<void> {
    await this.#loadTypes();
    const r = await validateConfig(await this.#readConfig(), this.types);
    if (!r.ok) throw new ConfigError(r.issues);
    this.#valid = r.value;
    const dataRoot = resolve(r.value.config.storage.path);
    this.#services = {
      logger: this.logger,
      registry: this.registry,
      series: this.#opts.series ?? (await this.#openSeriesIndex(dataRoot)),
      kernels: this.#opts.kernels ?? createKernels(this.#opts.kernelMode ?? 'auto', this.#kernelStats),
      router: this.#router,
      clock: this.#opts.clock ?? systemClock,
      dataRoot,
    };
    if (this.#opts.listenAddress !== undefined) await this.#listen(this.#opts.listenAddress);
    this.#graph = new Graph(this.#services, this.metrics);
    await this.#graph.apply(r.value);
    this.#markReloaded(true);
    this.#ready = true;
    if (this.#dropIns && this.#opts.watchPlugins !== false) {
      this.#watcher = new DropInWatcher(this.#dropIns.dir, () => void this.syncPlugins().catch((err) => this.logger.error({ err: (err as Error).message }, 'plugin sync failed')));
    }
    this.logger.info({ pipelines: [...this.#graph.pipelines.keys()], url: this.#url }, 'Sluice started');
  }

  /** The HTTP base URL, once listening. */
  get url(): string | undefined {
    return this.#url;
  }

  get ready(): boolean {
    return this.#ready;
  }

  /** The process-wide series index, once started. */
  get series(): SeriesIndex | undefined {
    return this.#services?.series;
  }

  get graph(): Graph | undefined {
    return this.#graph;
  }

  /** Re-reads the drop-in directory and the config file and applies what changed. */
  reload(): Promise<{ ok: boolean; error?: string }> {
    return this.#exclusive(async () => {
      try {
        await this.#reconciler?.apply();
        await this.#applyConfig();
        this.#markReloaded(true);
        return { ok: true };
      } catch (err) {
        this.#markReloaded(false);
        this.logger.error({ err: (err as Error).message }, 'reload failed; the running configuration stays');
        return { ok: false, error: (err as Error).message };
      }
    });
  }

  /** Applies drop-in directory changes only (the watcher calls this). */
  syncPlugins(): Promise<void> {
    return this.#exclusive(async () => this.#reconciler?.apply());
  }

  status(): PluginStatus[] {
    const rows: PluginStatus[] = [];
    for (const [id, slot] of this.#graph?.slots ?? []) {
      const spec = this.#graph!.specs.get(id)!;
      rows.push({ id, type: spec.type, kind: spec.kind, generation: slot.generation, hash: spec.pluginType.hash, state: slot.state, lastError: this.#errors.get(id) ?? null });
    }
    for (const s of this.#dropIns?.states ?? []) {
      rows.push({
        id: `plugin:${s.name}`,
        type: s.type?.type ?? '',
        kind: s.type?.kind ?? '',
        generation: s.generation,
        hash: s.hash,
        state: s.lastError ? 'failed' : 'loaded',
        lastError: s.lastError,
      });
    }
    return rows;
  }

  async stop(): Promise<void> {
    this.#ready = false;
    this.#watcher?.close();
    await this.#serial.catch(() => undefined);
    await this.#graph?.stop(this.#opts.shutdownTimeoutMs ?? 30_000);
    await this.#app?.close();
    if (this.#services && !this.#opts.series) await this.#saveSeriesIndex(this.#services);
    for (const s of this.#dropIns?.states ?? []) await s.type?.dispose();
    this.logger.info('Sluice stopped');
  }

  /**
   * The process-wide series index, reloaded from the last shutdown so refs (and state keyed by
   * them) stay valid across restarts. An unreadable file is moved aside, never fatal: components
   * that persist state keep it keyed by labels too.
   */
  async #openSeriesIndex(dataRoot: string): Promise<SeriesIndex> {
    const file = join(dataRoot, SERIES_INDEX_FILE);
    const implementation = this.#opts.seriesImplementation ?? 'wasm';
    const now = () => (this.#opts.clock ?? systemClock).now();
    const timed = (index: SeriesIndex) => instrument(index, `series_index@${implementation}`, ['resolveScratchBatch', 'select', 'delete', 'compact'], this.#kernelStats);
    if (!existsSync(file)) return timed(await createSeriesIndex({ implementation, now }));
    try {
      return timed(await createSeriesIndex({ implementation, now, file }));
    } catch (err) {
      const aside = `${file}.unreadable-${Date.now()}`;
      await rename(file, aside).catch(() => undefined);
      this.logger.error({ err: (err as Error).message, movedTo: aside }, 'series index file unreadable; starting with an empty index');
      return timed(await createSeriesIndex({ implementation, now }));
    }
  }

  async #saveSeriesIndex(services: HostServices): Promise<void> {
    try {
      await mkdir(services.dataRoot, { recursive: true });
      await services.series.save(join(services.dataRoot, SERIES_INDEX_FILE));
    } catch (err) {
      this.logger.error({ err: (err as Error).message }, 'could not save the series index');
    }
  }

  async #listen(address: string): Promise<void> {
    const { app } = createHttpServer({ maxBodyBytes: this.#opts.maxBodyBytes ?? 64 << 20, router: this.#router });
    registerHostRoutes(app, {
      registry: this.registry,
      ready: () => this.#ready,
      lifecycleEnabled: this.#opts.enableLifecycle ?? false,
      reload: () => this.reload(),
      status: () => this.status(),
    });
    const i = address.lastIndexOf(':');
    const host = i > 0 ? address.slice(0, i).replace(/^\[|\]$/g, '') : '0.0.0.0';
    this.#url = await app.listen({ host, port: Number(address.slice(i + 1)) });
    this.#app = app;
  }

  async #loadTypes(): Promise<void> {
    const builtin = await loadBuiltinTypes();
    for (const err of builtin.errors) this.logger.error({ err: err.message }, 'built-in plugin failed to load');
    for (const t of builtin.types) this.types.set(t);
    if (this.#opts.pluginsDir) {
      const dropIns = new DropInManager(resolve(this.#opts.pluginsDir), this.logger);
      this.#dropIns = dropIns;
      this.#reconciler = new DropInReconciler({
        types: this.types,
        metrics: this.metrics,
        dropIns,
        graph: () => this.#graph,
        errors: this.#errors,
        typeAdded: async () => {
          if (this.#graph && this.#opts.configFile) await this.#applyConfig().catch(() => undefined);
        },
      });
      for (const change of await dropIns.scan()) this.#reconciler.admit(change);
    }
  }

  async #readConfig(): Promise<unknown> {
    if (this.#opts.configFile) return readConfigFile(this.#opts.configFile);
    return this.#opts.config ?? {};
  }

  /** Applies a changed config: components whose config changed are updated in place or swapped. */
  async #applyConfig(): Promise<void> {
    if (!this.#graph || !this.#valid) return;
    const r = await validateConfig(await this.#readConfig(), this.types);
    if (!r.ok) throw new ConfigError(r.issues);
    for (const [id, spec] of r.value.components) {
      const running = this.#graph.specs.get(id);
      if (!running || running.kind !== spec.kind || running.type !== spec.type) continue; // added, or replaced by apply()
      if (running.pluginType === spec.pluginType && isDeepStrictEqual(running.raw, spec.raw)) continue;
      const slot = this.#graph.slots.get(id)!;
      const inPlace = running.pluginType === spec.pluginType && (await slot.component?.update?.(spec.config)) === true;
      if (inPlace) this.#graph.specs.set(id, spec);
      else await this.#graph.swap(id, spec);
      this.#errors.delete(id);
      this.logger.info({ component: id, inPlace }, 'component config changed');
    }
    await this.#graph.apply(r.value);
    this.#valid = r.value;
  }

  #markReloaded(ok: boolean): void {
    this.metrics.configReloads.inc({ result: ok ? 'success' : 'failure' });
    this.metrics.configLastReloadOk.set(ok ? 1 : 0);
    if (ok) this.metrics.configLastReloadTime.set(Date.now() / 1000);
  }

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#serial.then(fn, fn);
    this.#serial = run.catch(() => undefined);
    return run;
  }
}
