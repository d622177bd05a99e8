// Host-visible bump allocation. Kernels run on the `stub` runtime and never free: the host lays
// out long-lived arenas once and reuses them, so a free list would only cost time.

/** Reserves `bytes` (16-byte aligned) and returns the address; grows memory as needed. */
export function reserve(bytes: usize): usize {
  return heap.alloc((bytes + 15) & ~15);
}
