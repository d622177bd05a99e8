import protobuf from 'protobufjs';
import { WireError } from './wire-error.js';

/**
 * The remote_write messages, defined with protobufjs reflection from the 1.0 and 2.0
 * specifications (field numbers are the specs'; no .proto file is shipped). This is the schema
 * of record: tests encode bodies with it and compare the hand-written decoders against its
 * object decoding; the decoders use it only for the rare native-histogram sub-messages.
 */

type FieldDef = [name: string, id: number, type: string, rule?: 'repeated'];

function message(name: string, fields: FieldDef[]): protobuf.Type {
  const t = new protobuf.Type(name);
  for (const [fname, id, type, rule] of fields) t.add(new protobuf.Field(fname, id, type, rule));
  return t;
}

/** Native histogram: identical field numbers in prometheus (1.0 extension) and write.v2. */
function histogramTypes(): protobuf.ReflectionObject[] {
  const span = message('BucketSpan', [
    ['offset', 1, 'sint32'],
    ['length', 2, 'uint32'],
  ]);
  const histogram = message('Histogram', [
    ['countInt', 1, 'uint64'],
    ['countFloat', 2, 'double'],
    ['sum', 3, 'double'],
    ['schema', 4, 'sint32'],
    ['zeroThreshold', 5, 'double'],
    ['zeroCountInt', 6, 'uint64'],
    ['zeroCountFloat', 7, 'double'],
    ['negativeSpans', 8, 'BucketSpan', 'repeated'],
    ['negativeDeltas', 9, 'sint64', 'repeated'],
    ['negativeCounts', 10, 'double', 'repeated'],
    ['positiveSpans', 11, 'BucketSpan', 'repeated'],
    ['positiveDeltas', 12, 'sint64', 'repeated'],
    ['positiveCounts', 13, 'double', 'repeated'],
    ['resetHint', 14, 'int32'],
    ['timestamp', 15, 'int64'],
    ['customValues', 16, 'double', 'repeated'],
    // 2.0-rc.4 moved the start (created) timestamp onto each sample and histogram.
    ['startTimestamp', 17, 'int64'],
  ]);
  histogram.add(new protobuf.OneOf('count', ['countInt', 'countFloat']));
  histogram.add(new protobuf.OneOf('zeroCount', ['zeroCountInt', 'zeroCountFloat']));
  return [span, histogram];
}

function v1Namespace(): protobuf.Namespace {
  const ns = new protobuf.Namespace('prometheus');
  ns.add(message('Label', [['name', 1, 'string'], ['value', 2, 'string']]));
  ns.add(message('Sample', [['value', 1, 'double'], ['timestamp', 2, 'int64']]));
  ns.add(message('Exemplar', [['labels', 1, 'Label', 'repeated'], ['value', 2, 'double'], ['timestamp', 3, 'int64']]));
  for (const t of histogramTypes()) ns.add(t);
  ns.add(
    message('TimeSeries', [
      ['labels', 1, 'Label', 'repeated'],
      ['samples', 2, 'Sample', 'repeated'],
      ['exemplars', 3, 'Exemplar', 'repeated'],
      ['histograms', 4, 'Histogram', 'repeated'],
    ]),
  );
  ns.add(message('MetricMetadata', [['type', 1, 'int32'], ['metricFamilyName', 2, 'string'], ['help', 4, 'string'], ['unit', 5, 'string']]));
  ns.add(message('WriteRequest', [['timeseries', 1, 'TimeSeries', 'repeated'], ['metadata', 3, 'MetricMetadata', 'repeated']]));
  return ns;
}

function v2Namespace(): protobuf.Namespace {
  const ns = new protobuf.Namespace('v2');
  ns.add(message('Sample', [['value', 1, 'double'], ['timestamp', 2, 'int64'], ['startTimestamp', 3, 'int64']]));
  ns.add(message('Exemplar', [['labelsRefs', 1, 'uint32', 'repeated'], ['value', 2, 'double'], ['timestamp', 3, 'int64']]));
  ns.add(message('Metadata', [['type', 1, 'int32'], ['helpRef', 3, 'uint32'], ['unitRef', 4, 'uint32']]));
  for (const t of histogramTypes()) ns.add(t);
  ns.add(
    message('TimeSeries', [
      ['labelsRefs', 1, 'uint32', 'repeated'],
      ['samples', 2, 'Sample', 'repeated'],
      ['histograms', 3, 'Histogram', 'repeated'],
      ['exemplars', 4, 'Exemplar', 'repeated'],
      ['metadata', 5, 'Metadata'],
      // Reserved since 2.0-rc.4 (now Sample/Histogram start_timestamp); still sent by rc.3 senders.
      ['createdTimestamp', 6, 'int64'],
    ]),
  );
  ns.add(message('Request', [['symbols', 4, 'string', 'repeated'], ['timeseries', 5, 'TimeSeries', 'repeated']]));
  return ns;
}

const root = new protobuf.Root();
root.add(v1Namespace());
root.define('io.prometheus.write').add(v2Namespace());
root.resolveAll();

/** `prometheus.WriteRequest`, remote_write 1.0. */
export const WriteRequestV1 = root.lookupType('prometheus.WriteRequest');
/** `io.prometheus.write.v2.Request`, remote_write 2.0. */
export const RequestV2 = root.lookupType('io.prometheus.write.v2.Request');
/** The native histogram message (same wire shape in both versions). */
export const HistogramMessage = root.lookupType('io.prometheus.write.v2.Histogram');

/** Metric types as both versions number them, in the names Prometheus prints. */
export const METRIC_TYPE_NAMES = ['unknown', 'counter', 'gauge', 'histogram', 'gaugehistogram', 'summary', 'info', 'stateset'] as const;

/** Decodes a histogram sub-message into plain data (longs as numbers) for the side column. */
export function decodeHistogram(bytes: Uint8Array): Record<string, unknown> {
  let msg: protobuf.Message;
  try {
    msg = HistogramMessage.decode(bytes);
  } catch (err) {
    throw new WireError('protobuf', `bad native histogram: ${(err as Error).message}`, err);
  }
  return HistogramMessage.toObject(msg, { longs: Number, defaults: false, oneofs: false }) as Record<string, unknown>;
}
