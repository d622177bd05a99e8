import type { PluginMetrics } from '../../telemetry/plugin-metrics.js';
import type { Notice } from './protocol.js';

type MetricNotice = Omit<Extract<Notice, { op: 'metric' }>, 'cid'>;

/** A drop-in plugin's metrics: every update travels to the host's registry as a message. */
export function workerMetrics(send: (n: MetricNotice) => void): PluginMetrics {
  return {
    counter: (o) => ({ inc: (labels = {}, value = 1) => send({ op: 'metric', kind: 'counter', name: o.name, help: o.help, labels, value }) }),
    gauge: (o) => ({
      set: (labels = {}, value) => send({ op: 'metric', kind: 'gauge', name: o.name, help: o.help, labels, value, set: true }),
      inc: (labels = {}, value = 1) => send({ op: 'metric', kind: 'gauge', name: o.name, help: o.help, labels, value }),
    }),
    histogram: (o) => {
      throw new RangeError(`${o.name}: histograms are not available to drop-in plugins yet; use counters or gauges`);
    },
  };
}
