import { compileMatcher, type Matcher } from './matcher.js';
import type { PairDictionary } from './pair-dictionary.js';
import { P_POST, P_POST_LEN, type SeriesKernel } from './series-kernel.js';

/** A sorted ref list in kernel memory; `bytes` > 0 when this query allocated it (and frees it). */
interface List {
  ptr: number;
  len: number;
  bytes: number;
}

const EMPTY = new Uint32Array(0);

/**
 * Evaluates matchers (PromQL semantics: an absent label reads as "") on the kernel's postings.
 * Each matcher becomes the set of label values it accepts, tested once per distinct value, never
 * per series. A matcher that rejects "" needs the label, so it contributes the union of its
 * accepted values' postings; one that accepts "" (`!=`, `!~`, `=~".*"`) keeps every series except
 * those carrying a rejected value. Positive sets are intersected smallest first, then the
 * rejected unions are subtracted. Postings must be purged before this runs.
 */
export function selectPostings(
  k: SeriesKernel,
  dict: PairDictionary,
  tenantId: number,
  tenantPair: number,
  matchers: readonly Matcher[],
  findPair: (name: string, value: string) => number,
): Uint32Array {
  const x = k.exports;
  const owned: List[] = [];
  const pairList = (id: number): List => {
    const rec = x.pair_record(id) >>> 2;
    const u32 = k.views().u32;
    return { ptr: u32[rec + P_POST]!, len: u32[rec + P_POST_LEN]!, bytes: 0 };
  };
  const alloc = (entries: number): List => {
    const bytes = Math.max(4, entries * 4);
    const l = { ptr: x.alloc(bytes) >>> 0, len: 0, bytes };
    owned.push(l);
    return l;
  };
  const unionOf = (ids: number[]): List => {
    if (ids.length === 1) return pairList(ids[0]!);
    const lists = ids.map(pairList);
    const total = lists.reduce((n, l) => n + l.len, 0);
    const refs = x.ref_limit();
    const table = alloc(lists.length * 2);
    const out = alloc(Math.min(total, refs));
    const u32 = k.views().u32;
    lists.forEach((l, i) => {
      u32[(table.ptr >>> 2) + 2 * i] = l.ptr;
      u32[(table.ptr >>> 2) + 2 * i + 1] = l.len;
    });
    out.len = x.union_many(table.ptr, lists.length, refs, out.ptr);
    return out;
  };
  try {
    const positives: List[] = [];
    const negatives: List[] = [];
    for (const m of matchers) {
      const cm = compileMatcher(m);
      const acceptsEmpty = cm.matches('');
      if (m.type === '=' && !acceptsEmpty) {
        const id = findPair(m.name, m.value);
        if (id === 0 || dict.live(id) === 0) return EMPTY;
        positives.push(pairList(id));
        continue;
      }
      const accepted: number[] = [];
      const rejected: number[] = [];
      const entry = dict.name(tenantId, m.name);
      if (entry) {
        for (let i = 0; i < entry.ids.length; i++) {
          const id = entry.ids[i]!;
          if (dict.live(id) === 0) continue;
          (cm.matches(entry.values[i]!) ? accepted : rejected).push(id);
        }
      }
      if (!acceptsEmpty) {
        if (accepted.length === 0) return EMPTY;
        positives.push(unionOf(accepted));
      } else if (rejected.length > 0) {
        negatives.push(unionOf(rejected));
      }
    }
    positives.sort((a, b) => a.len - b.len);
    let cur = positives.length > 0 ? positives[0]! : pairList(tenantPair);
    for (let i = 1; i < positives.length && cur.len > 0; i++) {
      const out = alloc(cur.len);
      out.len = x.intersect(cur.ptr, cur.len, positives[i]!.ptr, positives[i]!.len, out.ptr);
      cur = out;
    }
    for (const neg of negatives) {
      if (cur.len === 0) break;
      const out = alloc(cur.len);
      out.len = x.difference(cur.ptr, cur.len, neg.ptr, neg.len, out.ptr);
      cur = out;
    }
    return k.views().u32.slice(cur.ptr >>> 2, (cur.ptr >>> 2) + cur.len);
  } finally {
    for (const l of owned) x.free(l.ptr, l.bytes);
  }
}
