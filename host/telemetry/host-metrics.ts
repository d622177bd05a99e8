import { Counter, Gauge, type Registry } from 'prom-client';

/** The metrics the host itself keeps about components, pipelines, plugins and reloads. */
export class HostMetrics {
  readonly batches: Counter<'component' | 'direction'>;
  readonly samples: Counter<'component' | 'direction'>;
  readonly dropped: Counter<'pipeline' | 'reason'>;
  readonly generation: Gauge<'component'>;
  readonly componentUp: Gauge<'component'>;
  readonly pluginReloads: Counter<'component' | 'result'>;
  readonly pluginLoadErrors: Counter<'plugin'>;
  readonly configReloads: Counter<'result'>;
  readonly configLastReloadOk: Gauge;
  readonly configLastReloadTime: Gauge;

  constructor(registry: Registry, edgeStats: () => { pipeline: string; samples: number; bytes: number; maxSamples: number; maxBytes: number; blockedMs: number }[]) {
    const registers = [registry];
    this.batches = new Counter({ name: 'sluice_component_batches_total', help: 'Batches a component received (in) or emitted (out).', labelNames: ['component', 'direction'], registers });
    this.samples = new Counter({ name: 'sluice_component_samples_total', help: 'Samples a component received (in) or emitted (out).', labelNames: ['component', 'direction'], registers });
    this.dropped = new Counter({ name: 'sluice_pipeline_dropped_samples_total', help: 'Samples a pipeline dropped, by reason.', labelNames: ['pipeline', 'reason'], registers });
    this.generation = new Gauge({ name: 'sluice_plugin_generation', help: 'Generation of the running instance of a component (1 + hot swaps and reloads).', labelNames: ['component'], registers });
    this.componentUp = new Gauge({ name: 'sluice_component_up', help: '1 while a component runs, 0 when stopped or failed.', labelNames: ['component'], registers });
    this.pluginReloads = new Counter({ name: 'sluice_plugin_reloads_total', help: 'Hot swaps of a component, by result (success, failure).', labelNames: ['component', 'result'], registers });
    this.pluginLoadErrors = new Counter({ name: 'sluice_plugin_load_errors_total', help: 'Drop-in plugin files that failed to load.', labelNames: ['plugin'], registers });
    this.configReloads = new Counter({ name: 'sluice_config_reloads_total', help: 'Configuration reloads, by result.', labelNames: ['result'], registers });
    this.configLastReloadOk = new Gauge({ name: 'sluice_config_last_reload_successful', help: 'Whether the last configuration reload succeeded.', registers });
    this.configLastReloadTime = new Gauge({ name: 'sluice_config_last_reload_success_timestamp_seconds', help: 'When the configuration was last loaded successfully.', registers });
    const queued = new Gauge({ name: 'sluice_edge_queued_samples', help: 'Samples waiting at the head of a pipeline.', labelNames: ['pipeline'], registers, collect() { queued.reset(); for (const e of edgeStats()) queued.set({ pipeline: e.pipeline }, e.samples); } });
    const queuedBytes = new Gauge({ name: 'sluice_edge_queued_bytes', help: 'Bytes waiting at the head of a pipeline.', labelNames: ['pipeline'], registers, collect() { queuedBytes.reset(); for (const e of edgeStats()) queuedBytes.set({ pipeline: e.pipeline }, e.bytes); } });
    const fill = new Gauge({ name: 'sluice_edge_fill_ratio', help: 'How full a pipeline head buffer is (0..1, the larger of samples and bytes).', labelNames: ['pipeline'], registers, collect() { fill.reset(); for (const e of edgeStats()) fill.set({ pipeline: e.pipeline }, Math.max(e.samples / e.maxSamples, e.bytes / e.maxBytes)); } });
    const blocked = new Gauge({ name: 'sluice_edge_blocked_seconds_total', help: 'Time sources spent waiting for room in a pipeline head buffer.', labelNames: ['pipeline'], registers, collect() { blocked.reset(); for (const e of edgeStats()) blocked.set({ pipeline: e.pipeline }, e.blockedMs / 1000); } });
  }
}
