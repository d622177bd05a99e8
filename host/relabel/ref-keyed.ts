/** Helpers for caches keyed by series ref: dense typed arrays that grow, and eviction on delete. */
import type { SeriesIndex } from '../series/series-index.js';

/** The deletion hook a series index may offer (indexes that never delete do not). */
interface DeletingIndex {
  onDelete?(listener: (refs: ArrayLike<number>) => void): (() => void) | void;
}

/**
 * Calls `listener` for every ref the index deletes, when the index supports deletion, so caches
 * keyed by ref never serve a recycled ref. Returns the unsubscribe function (a no-op otherwise).
 */
export function onIndexDelete(series: SeriesIndex, listener: (ref: number) => void): () => void {
  // The index reports deletes in bulk (one call per delete() with all its refs).
  const unsubscribe = (series as unknown as DeletingIndex).onDelete?.((refs) => {
    for (let i = 0; i < refs.length; i++) listener(refs[i]!);
  });
  return typeof unsubscribe === 'function' ? unsubscribe : () => {};
}

/** `arr` itself when `index` fits, else a copy grown by doubling so that it does. */
export function growToFit<T extends Uint32Array | Uint16Array | Uint8Array>(arr: T, index: number): T {
  if (index < arr.length) return arr;
  let size = Math.max(arr.length, 16);
  while (size <= index) size *= 2;
  const grown = new (arr.constructor as new (n: number) => T)(size);
  grown.set(arr);
  return grown;
}
