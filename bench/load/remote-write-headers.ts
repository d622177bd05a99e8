import type { RemoteWriteVersion } from '../../host/wire/remote-write-request.js';

/** Content-Type and version headers of each protocol version, as the specifications name them. */
export const REMOTE_WRITE_HEADERS: Record<RemoteWriteVersion, Record<string, string>> = {
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
};
