// Size-classed blocks on top of the stub runtime's bump heap. The stub runtime never frees, but
// the series index must: deleted series give back their key bytes, postings lists move when they
// grow, outgrown hash tables are retired. Freed blocks go on a free list per size class and are
// handed out again, so a churning index stays flat instead of leaking.

/** Blocks up to this size come in 8-byte steps (exact fit for keys); larger ones in powers of two. */
const SMALL_LIMIT: usize = 4096;
const SMALL_CLASSES: usize = SMALL_LIMIT >> 3;
const CLASSES: usize = SMALL_CLASSES + 33;
/** Small blocks are cut from chunks this big, so the bump heap sees few large requests. */
const CHUNK: usize = 1 << 20;

let heads: usize = 0;
let chunkPos: usize = 0;
let chunkEnd: usize = 0;
let inUse: usize = 0;
let reserved: usize = 0;

@inline function classOf(bytes: usize): usize {
  if (bytes <= SMALL_LIMIT) return bytes <= 8 ? 1 : (bytes + 7) >> 3;
  return SMALL_CLASSES + (32 - <usize>clz<u32>(<u32>bytes - 1));
}

@inline function classSize(c: usize): usize {
  return c <= SMALL_CLASSES ? c << 3 : (<usize>1) << (c - SMALL_CLASSES);
}

/** The size a request of `bytes` really occupies. */
export function blockSize(bytes: usize): usize {
  return classSize(classOf(bytes));
}

function init(): void {
  heads = heap.alloc(CLASSES << 2);
  memory.fill(heads, 0, CLASSES << 2);
}

/** A block of at least `bytes`, 8-byte aligned. Its contents are undefined (it may be reused). */
export function alloc(bytes: usize): usize {
  if (heads == 0) init();
  const c = classOf(bytes);
  const size = classSize(c);
  inUse += size;
  const head = load<u32>(heads + (c << 2));
  if (head != 0) {
    store<u32>(heads + (c << 2), load<u32>(head));
    return head;
  }
  reserved += size;
  if (size > SMALL_LIMIT) return heap.alloc(size);
  if (chunkPos + size > chunkEnd) {
    chunkPos = heap.alloc(CHUNK);
    chunkEnd = chunkPos + CHUNK;
  }
  const p = chunkPos;
  chunkPos += size;
  return p;
}

/** Returns a block from alloc(bytes) (same `bytes`) for reuse. */
export function free(ptr: usize, bytes: usize): void {
  if (ptr == 0) return;
  const c = classOf(bytes);
  inUse -= classSize(c);
  store<u32>(ptr, load<u32>(heads + (c << 2)));
  store<u32>(heads + (c << 2), <u32>ptr);
}

/** A zero-filled block. */
export function allocZeroed(bytes: usize): usize {
  const p = alloc(bytes);
  memory.fill(p, 0, bytes);
  return p;
}

/** Bytes in live blocks (what the index holds), and bytes ever taken from the heap. */
export function bytesInUse(): usize {
  return inUse;
}

export function bytesReserved(): usize {
  return reserved;
}
