import { snappyDeclaredLength } from './snappy.js';

/**
 * One snappy block whose content is the contents of `blocks` one after the other, made without
 * decompressing, as pieces to send one after the other (a request body can be written in pieces,
 * which saves allocating and filling a joined copy): a new length preamble, then each block's
 * elements as a view of the block. A block is a varint of its length followed by literal and copy
 * elements, and a copy's offset counts back from the current output position, so the elements of
 * a block decode the same wherever its output starts; dropping each block's length and writing
 * the sum in front is therefore a valid block (decoders do not care where the compressor cut its
 * 64 KiB fragments). The remote_write sink joins queued blocks into one request this way:
 * protobuf messages of repeated fields concatenate too, so the result is one WriteRequest.
 */
export function snappyJoinParts(blocks: readonly Uint8Array[]): Uint8Array[] {
  let total = 0;
  const parts: Uint8Array[] = [new Uint8Array(0)];
  for (const b of blocks) {
    total += snappyDeclaredLength(b);
    let p = 0;
    while (b[p]! >= 0x80) p++;
    parts.push(b.subarray(p + 1));
  }
  if (total > 0xffffffff) throw new RangeError(`joined snappy blocks would hold ${total} bytes, over the format's 32-bit length`);
  const header: number[] = [];
  for (let v = total; ; v = Math.floor(v / 128)) {
    if (v < 0x80) {
      header.push(v);
      break;
    }
    header.push((v & 0x7f) | 0x80);
  }
  parts[0] = Uint8Array.from(header);
  return parts;
}
