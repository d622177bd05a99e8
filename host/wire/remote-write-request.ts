import { UnsupportedMediaError } from '../errors.js';
import type { BatchCollector } from './batch-collector.js';
import { decodeWriteRequestV1 } from './decode-v1.js';
import { decodeRequestV2 } from './decode-v2.js';
import type { SeriesKeyBuilder } from './series-key-builder.js';
import { snappyDecompress } from './snappy.js';

export type RemoteWriteVersion = 1 | 2;

export const PROTO_V1 = 'prometheus.WriteRequest';
export const PROTO_V2 = 'io.prometheus.write.v2.Request';

/**
 * The protocol version a request speaks, from its Content-Type and Content-Encoding, as the 2.0
 * spec negotiates it: `application/x-protobuf` with `proto=` naming the message (no proto, or no
 * Content-Type at all, means 1.0), snappy as the only encoding (absent means snappy, for 1.0
 * senders that leave it out). Anything else is 415 with the reason.
 */
export function negotiateRemoteWrite(contentType: string | undefined, contentEncoding: string | undefined): RemoteWriteVersion {
  const encoding = (contentEncoding ?? '').trim().toLowerCase();
  if (encoding !== '' && encoding !== 'snappy') {
    throw new UnsupportedMediaError(`unsupported Content-Encoding ${JSON.stringify(contentEncoding)}; remote_write bodies must be snappy`);
  }
  if (contentType === undefined || contentType.trim() === '') return 1;
  const [media, ...params] = contentType.split(';');
  if (media!.trim().toLowerCase() !== 'application/x-protobuf') {
    throw new UnsupportedMediaError(`unsupported Content-Type ${JSON.stringify(contentType)}; expected application/x-protobuf`);
  }
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== 'proto') continue;
    const proto = param.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    if (proto === PROTO_V1) return 1;
    if (proto === PROTO_V2) return 2;
    throw new UnsupportedMediaError(`unsupported proto ${JSON.stringify(proto)}; expected ${PROTO_V1} or ${PROTO_V2}`);
  }
  return 1;
}

/** Snappy block decompression: snappyDecompress() or the kernel's WasmSnappy.decompress(). */
export type Decompress = (body: Uint8Array, maxBytes: number) => Uint8Array;

/**
 * Decompresses and decodes one remote_write body into `out`. Throws TooLargeError (413) when the
 * declared uncompressed size is over `maxBytes`, WireError (400) for anything malformed.
 */
export function decodeRemoteWrite(
  body: Uint8Array,
  version: RemoteWriteVersion,
  maxBytes: number,
  out: BatchCollector,
  keys: SeriesKeyBuilder,
  decompress: Decompress = snappyDecompress,
): void {
  const raw = decompress(body, maxBytes);
  if (version === 1) decodeWriteRequestV1(raw, out, keys);
  else decodeRequestV2(raw, out, keys);
}
