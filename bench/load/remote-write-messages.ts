import protobuf from 'protobufjs';

/**
 * The parts of the remote_write 1.0 (`prometheus.WriteRequest`) and 2.0
 * (`io.prometheus.write.v2.Request`) messages the load generator sends: float samples, labels, and
 * in 2.0 the symbol table and metadata. Field numbers are the specifications'. Defined by
 * reflection so the load generator depends on nothing unfinished in host/.
 */
export const remoteWriteMessages = (() => {
  const root = new protobuf.Root();
  const type = (name: string, fields: [string, number, string, ('repeated' | undefined)?][]) => {
    const t = new protobuf.Type(name);
    for (const [f, id, ty, rule] of fields) t.add(new protobuf.Field(f, id, ty, rule));
    return t;
  };
  const v1 = root.define('prometheus');
  v1.add(type('Label', [['name', 1, 'string'], ['value', 2, 'string']]));
  v1.add(type('Sample', [['value', 1, 'double'], ['timestamp', 2, 'int64']]));
  v1.add(type('TimeSeries', [['labels', 1, 'Label', 'repeated'], ['samples', 2, 'Sample', 'repeated']]));
  v1.add(type('WriteRequest', [['timeseries', 1, 'TimeSeries', 'repeated']]));
  const v2 = root.define('io.prometheus.write.v2');
  v2.add(new protobuf.Enum('MetricType', { UNSPECIFIED: 0, COUNTER: 1, GAUGE: 2, HISTOGRAM: 3, GAUGEHISTOGRAM: 4, SUMMARY: 5, INFO: 6, STATESET: 7 }));
  v2.add(type('Sample', [['value', 1, 'double'], ['timestamp', 2, 'int64']]));
  v2.add(type('Metadata', [['type', 1, 'MetricType'], ['helpRef', 3, 'uint32'], ['unitRef', 4, 'uint32']]));
  v2.add(type('TimeSeries', [['labelsRefs', 1, 'uint32', 'repeated'], ['samples', 2, 'Sample', 'repeated'], ['metadata', 5, 'Metadata']]));
  v2.add(type('Request', [['symbols', 4, 'string', 'repeated'], ['timeseries', 5, 'TimeSeries', 'repeated']]));
  root.resolveAll();
  return {
    v1WriteRequest: root.lookupType('prometheus.WriteRequest'),
    v2Request: root.lookupType('io.prometheus.write.v2.Request'),
  };
})();

/** Content-Type and version headers of each protocol version, as the specifications name them. */
export const REMOTE_WRITE_HEADERS = {
  1: {
    'content-type': 'application/x-protobuf',
    'content-encoding': 'snappy',
    'x-prometheus-remote-write-version': '0.1.0',
  },
  2: {
    'content-type': 'application/x-protobuf;proto=io.prometheus.write.v2.Request',
    'content-encoding': 'snappy',
    'x-prometheus-remote-write-version': '2.0.0',
  },
} as const;

export type RemoteWriteVersion = keyof typeof REMOTE_WRITE_HEADERS;
