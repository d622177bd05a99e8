// Fixed-size records in pages of 65536, addressed by dense id. Pages never move, so growing the
// record space copies nothing and a record's address stays valid for the life of the kernel.
import { allocZeroed } from './alloc';

const PAGE_SHIFT: u32 = 16;
const PAGE_MASK: u32 = (1 << PAGE_SHIFT) - 1;
const MAX_PAGES: usize = 1 << (32 - PAGE_SHIFT);

/** A record space: a page table (u32 page addresses) and the record size. */
export function recordsNew(): usize {
  return allocZeroed(MAX_PAGES << 2);
}

/** The address of record `id`, creating (zeroed) its page on first use. */
export function recordEnsure(table: usize, id: u32, size: usize): usize {
  const slot = table + (<usize>(id >>> PAGE_SHIFT) << 2);
  let page = <usize>load<u32>(slot);
  if (page == 0) {
    page = allocZeroed(size << PAGE_SHIFT);
    store<u32>(slot, <u32>page);
  }
  return page + <usize>(id & PAGE_MASK) * size;
}

/** The address of a record whose page exists. */
@inline export function recordAt(table: usize, id: u32, size: usize): usize {
  return <usize>load<u32>(table + (<usize>(id >>> PAGE_SHIFT) << 2)) + <usize>(id & PAGE_MASK) * size;
}

/** The address of record `id`, or 0 when its page was never created. */
export function recordMaybe(table: usize, id: u32, size: usize): usize {
  const page = <usize>load<u32>(table + (<usize>(id >>> PAGE_SHIFT) << 2));
  return page == 0 ? 0 : page + <usize>(id & PAGE_MASK) * size;
}
