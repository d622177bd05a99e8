import type { RemoteWriteVersion } from '../../host/wire/remote-write-request.js';

/** Samples and native histogram samples in one remote_write body. */
export interface SampleCount {
  series: number;
  samples: number;
  histograms: number;
}

/** Field numbers that matter for counting, per protocol version. */
const LAYOUT = {
  1: { timeseries: 1, samples: 2, histograms: 4 },
  2: { timeseries: 5, samples: 2, histograms: 3 },
} as const;

/**
 * Counts what an uncompressed remote_write body carries by walking the protobuf wire format without
 * looking at labels. The counting sink shares a core with the load generator and must not become
 * the limit: host/wire's decoders also validate labels and resolve every series in a series index,
 * which is Sluice's job under test, not the sink's. Throws RangeError on a malformed body.
 */
export function countSamples(buf: Uint8Array, version: RemoteWriteVersion): SampleCount {
  const layout = LAYOUT[version];
  const out: SampleCount = { series: 0, samples: 0, histograms: 0 };
  walk(buf, 0, buf.length, (field, start, end) => {
    if (field !== layout.timeseries) return;
    out.series++;
    walk(buf, start, end, (inner) => {
      if (inner === layout.samples) out.samples++;
      else if (inner === layout.histograms) out.histograms++;
    });
  });
  return out;
}

/** Calls `onLen` for each length-delimited field in [pos, end) and skips every other wire type. */
function walk(buf: Uint8Array, pos: number, end: number, onLen: (field: number, start: number, end: number) => void): void {
  while (pos < end) {
    const [key, afterKey] = varint(buf, pos, end);
    pos = afterKey;
    const field = Math.floor(key / 8);
    switch (key & 7) {
      case 0:
        pos = varint(buf, pos, end)[1];
        break;
      case 1:
        pos += 8;
        break;
      case 2: {
        const [len, afterLen] = varint(buf, pos, end);
        if (afterLen + len > end) throw new RangeError(`protobuf field ${field} runs past the end of its message`);
        onLen(field, afterLen, afterLen + len);
        pos = afterLen + len;
        break;
      }
      case 5:
        pos += 4;
        break;
      default:
        throw new RangeError(`unsupported protobuf wire type ${key & 7} at offset ${pos}`);
    }
    if (pos > end) throw new RangeError('protobuf message truncated');
  }
}

/** Reads a varint of up to 64 bits; values past 2^53 lose precision, which no count or length reaches. */
function varint(buf: Uint8Array, pos: number, end: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) throw new RangeError('protobuf varint truncated');
    const b = buf[pos++]!;
    value += (b & 0x7f) * scale;
    if (b < 0x80) return [value, pos];
    scale *= 128;
  }
  throw new RangeError('protobuf varint longer than 10 bytes');
}
