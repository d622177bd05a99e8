// snappyjs ships no type declarations; this is the part of its API Sluice uses (tests and
// benchmarks compare against it as the reference).
declare module 'snappyjs' {
  export function compress(raw: Uint8Array): Uint8Array;
  export function uncompress(compressed: Uint8Array, maxLength?: number): Uint8Array;
}
