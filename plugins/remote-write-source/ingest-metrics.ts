import type { PluginContext } from '../../host/plugin/context.js';
import type { LabelledCounter } from '../../host/telemetry/plugin-metrics.js';
import type { DecodeCounts } from '../../host/wire/batch-collector.js';

/**
 * Self-metrics of an ingest source (remote_write, import). Families are shared by all sources
 * and told apart by the `component` label the context adds.
 */
export class IngestMetrics {
  readonly #requests: LabelledCounter;
  readonly #samples: LabelledCounter;
  readonly #series: LabelledCounter;
  readonly #histograms: LabelledCounter;
  readonly #exemplars: LabelledCounter;
  readonly #bytes: LabelledCounter;
  readonly #errors: LabelledCounter;

  constructor(ctx: PluginContext) {
    const m = ctx.metrics;
    this.#requests = m.counter({ name: 'sluice_source_requests_total', help: 'Ingest requests answered, by HTTP status code.', labelNames: ['code'] });
    this.#samples = m.counter({ name: 'sluice_source_samples_received_total', help: 'Float samples decoded from accepted request bodies.' });
    this.#series = m.counter({ name: 'sluice_source_series_received_total', help: 'Series (time series entries) decoded from accepted request bodies.' });
    this.#histograms = m.counter({ name: 'sluice_source_histograms_received_total', help: 'Native histogram samples decoded from accepted request bodies.' });
    this.#exemplars = m.counter({ name: 'sluice_source_exemplars_received_total', help: 'Exemplars decoded from accepted request bodies.' });
    this.#bytes = m.counter({ name: 'sluice_source_bytes_received_total', help: 'Request body bytes received, as sent (compressed).' });
    this.#errors = m.counter({
      name: 'sluice_source_decode_errors_total',
      help: 'Request bodies refused as undecodable, by reason: snappy, gzip, protobuf, labels, label_limits, symbols, text, too_large, media, bad_request.',
      labelNames: ['reason'],
    });
  }

  /** Counted as rows are decoded, whether or not they are delivered afterwards. */
  decoded(c: DecodeCounts): void {
    if (c.samples) this.#samples.inc(undefined, c.samples);
    if (c.series) this.#series.inc(undefined, c.series);
    if (c.histograms) this.#histograms.inc(undefined, c.histograms);
    if (c.exemplars) this.#exemplars.inc(undefined, c.exemplars);
  }

  bytes(n: number): void {
    this.#bytes.inc(undefined, n);
  }

  refused(reason: string): void {
    this.#errors.inc({ reason });
  }

  answered(code: number): void {
    this.#requests.inc({ code: String(code) });
  }
}
