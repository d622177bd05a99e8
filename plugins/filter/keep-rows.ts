import type { SampleBatch, SideColumns } from '../../host/batch/sample-batch.js';

/**
 * A copy of the rows of `b` whose `keep` flag is set. Native histograms and exemplars are kept
 * when their timestamp is inside `[min, max]`; metadata always.
 */
export function keepRows(b: SampleBatch, keep: Uint8Array, [min, max]: [number, number]): SampleBatch {
  let n = 0;
  for (let i = 0; i < b.length; i++) n += keep[i]!;
  const refs = new Uint32Array(n);
  const ts = new Float64Array(n);
  const values = new Float64Array(n);
  let j = 0;
  for (let i = 0; i < b.length; i++) {
    if (!keep[i]) continue;
    refs[j] = b.refs[i]!;
    ts[j] = b.ts[i]!;
    values[j] = b.values[i]!;
    j++;
  }
  const out: SampleBatch = { tenant: b.tenant, length: n, refs, ts, values };
  if (!b.side) return out;
  const inWindow = (t: number) => t >= min && t <= max;
  const side: SideColumns = {};
  if (b.side.histograms) side.histograms = b.side.histograms.filter((h) => inWindow(h.ts));
  if (b.side.exemplars) side.exemplars = b.side.exemplars.filter((e) => inWindow(e.ts));
  if (b.side.metadata) side.metadata = b.side.metadata;
  return { ...out, side };
}
