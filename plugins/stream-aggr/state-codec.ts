/**
 * The state file's bytes. Format 2: `SLUICEST`, u32 format, u32 manifest length, the manifest
 * (v8-serialized plain data), then raw sections. Large typed arrays (per-series columns, series
 * keys) are written as they are in memory (little-endian) instead of through v8.serialize, which
 * copied 120 MB into a growing buffer on the event loop; long arrays (groups, keyed slots) are
 * serialized in chunks, a step each, so no single step is proportional to the number of series.
 * Format 1 was the v8-serialized state alone, and still reads.
 */
import { deserialize, serialize } from 'node:v8';
import { type Steps } from '../../host/aggregation/steps.js';

const MAGIC = Buffer.from('SLUICEST', 'latin1');
export const STATE_FORMAT = 2;
const HEADER_BYTES = MAGIC.length + 8;
/** Typed arrays from this size are sections of their own; smaller ones stay in the manifest. */
const SECTION_MIN_BYTES = 16 * 1024;
/** Arrays longer than this are serialized in chunks of this many items. */
const CHUNK_ITEMS = 256;

const TYPED = { Uint8Array, Uint16Array, Uint32Array, Int8Array, Int16Array, Int32Array, Float32Array, Float64Array } as const;
type TypedName = keyof typeof TYPED;
type Typed = InstanceType<(typeof TYPED)[TypedName]>;

/** Where a section is in the manifest's tree: raw typed array bytes, or a chunk of a long array. */
interface SectionRef {
  $section: number;
}
interface ChunkedArray {
  $chunks: number[];
}
interface Manifest {
  root: unknown;
  sections: { kind: TypedName | 'chunk'; byteLength: number }[];
}

/** The buffers of a state file, to be written in order. */
export function* encodeState(state: unknown): Steps<Uint8Array[]> {
  const sections: Uint8Array[] = [];
  const table: Manifest['sections'] = [];
  const addSection = (kind: TypedName | 'chunk', bytes: Uint8Array): number => {
    sections.push(bytes);
    table.push({ kind, byteLength: bytes.byteLength });
    return table.length - 1;
  };
  // Long arrays are left for later, one chunk a step; their placeholders are filled in meanwhile.
  const later: { items: unknown[]; into: number[] }[] = [];
  const convert = (v: unknown): unknown => {
    if (ArrayBuffer.isView(v)) {
      // A small view of a large buffer would take the whole buffer into the manifest.
      if (v.byteLength < SECTION_MIN_BYTES) return v.byteLength === v.buffer.byteLength ? v : (v as Typed).slice();
      const name = v.constructor.name as TypedName;
      if (!(name in TYPED)) throw new TypeError(`BUG: the state holds a ${name}, which the state file cannot store`);
      return { $section: addSection(name, new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) } satisfies SectionRef;
    }
    if (Array.isArray(v)) {
      if (v.length <= CHUNK_ITEMS) return v.map(convert);
      const into: number[] = [];
      later.push({ items: v, into });
      return { $chunks: into } satisfies ChunkedArray;
    }
    if (v === null || typeof v !== 'object' || Object.getPrototypeOf(v) !== Object.prototype) return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = convert(x);
    return out;
  };
  const root = convert(state);
  for (let j = 0; j < later.length; j++) {
    const { items, into } = later[j]!;
    for (let at = 0; at < items.length; at += CHUNK_ITEMS) {
      yield;
      into.push(addSection('chunk', serialize(items.slice(at, at + CHUNK_ITEMS).map(convert))));
    }
  }
  const manifest = serialize({ root, sections: table } satisfies Manifest);
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header, 0);
  header.writeUInt32LE(STATE_FORMAT, MAGIC.length);
  header.writeUInt32LE(manifest.length, MAGIC.length + 4);
  return [header, manifest, ...sections];
}

/** The state in a file's bytes, and the format they were in. Throws on a damaged or unknown file. */
export function decodeState(bytes: Uint8Array): { state: unknown; format: number } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < HEADER_BYTES || !buf.subarray(0, MAGIC.length).equals(MAGIC)) return { state: deserialize(buf), format: 1 };
  const format = buf.readUInt32LE(MAGIC.length);
  if (format !== STATE_FORMAT) throw new RangeError(`state file format ${format} is not one this Sluice reads (${STATE_FORMAT})`);
  const manifestEnd = HEADER_BYTES + buf.readUInt32LE(MAGIC.length + 4);
  const { root, sections } = deserialize(buf.subarray(HEADER_BYTES, manifestEnd)) as Manifest;
  const starts: number[] = [];
  let at = manifestEnd;
  for (const s of sections) {
    starts.push(at);
    at += s.byteLength;
  }
  if (at !== buf.length) throw new RangeError(`state file is ${buf.length} bytes, its sections say ${at}`);
  const section = (i: number): Uint8Array => buf.subarray(starts[i]!, starts[i]! + sections[i]!.byteLength);
  const rebuild = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(rebuild);
    if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v)) return v;
    if ('$section' in v) {
      const i = (v as SectionRef).$section;
      const raw = section(i);
      // A copy: aligned for its element type, and independent of the file's buffer.
      return new TYPED[sections[i]!.kind as TypedName](new Uint8Array(raw).buffer) as Typed;
    }
    if ('$chunks' in v) return (v as ChunkedArray).$chunks.flatMap((i) => rebuild(deserialize(section(i))) as unknown[]);
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = rebuild(x);
    return out;
  };
  return { state: rebuild(root), format };
}
