// snappyjs ships no types; these are the two calls the load generator and the counting sink use.
declare module 'snappyjs' {
  /** Snappy block-format compression; returns the same kind of buffer it was given. */
  export function compress<T extends Uint8Array | ArrayBuffer>(input: T): T;
  /** Snappy block-format decompression; throws on a corrupt block or one larger than `maxLength`. */
  export function uncompress<T extends Uint8Array | ArrayBuffer>(input: T, maxLength?: number): T;
  const snappy: { compress: typeof compress; uncompress: typeof uncompress };
  export default snappy;
}
