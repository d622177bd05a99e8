/**
 * A rule's state as plain data (structured-cloneable, v8-serializable): slot and group identities
 * by tenant and labels, per-series counter state, open windows and cumulative totals. Refs are not
 * stored, so a snapshot restores correctly into a series index that numbers series differently.
 */
import { GROUP_FIELDS, type GroupState, type SlotState } from '../kernels/stream-aggregator.js';
import { captureRegistry } from './registry-capture.js';
import type { RuleAggregator } from './rule-aggregator.js';
import type { RegistryState } from './series-registry.js';
import { started, type Steps } from './steps.js';

export interface RuleSnapshot {
  v: 1;
  fingerprint: string;
  nextFlush: number;
  nextDedup: number;
  flushes: number;
  registry: RegistryState;
  slots: Partial<Record<keyof SlotState, Float64Array | Uint32Array>>;
  groups: Partial<Record<keyof GroupState, Float64Array>>;
  reservoirs: [number, Float64Array, number][];
  histograms: [number, Float64Array][];
  unique: [number, number[]][];
}

/**
 * Copies the rule's state now (kernel arrays, reservoirs, counters: what the next sample or flush
 * changes) and returns the steps that finish the snapshot, naming the series (registry-capture.ts).
 * Run them to the end or return() them.
 */
export function captureRule(r: RuleAggregator, unique: Map<number, Set<number>>): Steps<RuleSnapshot> {
  return started(
    (function* () {
      const registry = captureRegistry(r.registry, r.series);
      try {
        const slotCount = r.registry.slotCount;
        const groupIds = r.registry.groupCount * r.plan.rings;
        const slots: RuleSnapshot['slots'] = {};
        for (const [k, v] of Object.entries(r.kernel.slots()) as [keyof SlotState, Float64Array | Uint32Array][]) slots[k] = v.slice(0, slotCount);
        const G = r.kernel.groups();
        const groups: RuleSnapshot['groups'] = {};
        for (const f of GROUP_FIELDS) groups[f] = G[f].slice(0, groupIds);
        const reservoirs: RuleSnapshot['reservoirs'] = [];
        const histograms: RuleSnapshot['histograms'] = [];
        for (let g = 0; g < groupIds; g++) {
          const q = r.kernel.reservoir(g);
          if (q.length > 0) reservoirs.push([g, q, G.qSeen[g]!]);
          const h = r.kernel.histogram(g);
          if (h && h.some((c) => c > 0)) histograms.push([g, h]);
        }
        const fixed = {
          v: 1 as const,
          fingerprint: r.plan.fingerprint,
          nextFlush: r.nextFlush,
          nextDedup: r.nextDedup,
          flushes: r.flushes,
          unique: [...unique].map(([g, set]): [number, number[]] => [g, [...set]]),
        };
        yield;
        return { ...fixed, registry: yield* registry, slots, groups, reservoirs, histograms };
      } finally {
        registry.return(undefined as never);
      }
    })(),
  );
}

/** Loads a snapshot of the same rule (same fingerprint) into a fresh aggregator. */
export function restoreRule(r: RuleAggregator, s: RuleSnapshot, unique: Map<number, Set<number>>, now: number): void {
  r.registry.load(s.registry, r.series);
  const slots = r.kernel.slots();
  for (const [k, v] of Object.entries(s.slots) as [keyof SlotState, Float64Array | Uint32Array][]) slots[k]?.set(v as never);
  const G = r.kernel.groups();
  for (const [k, v] of Object.entries(s.groups) as [keyof GroupState, Float64Array][]) G[k].set(v);
  r.registry.settle();
  for (const [g, values, seen] of s.reservoirs) r.kernel.restoreReservoir(g, values, seen);
  for (const [g, counts] of s.histograms) r.kernel.restoreHistogram(g, counts);
  unique.clear();
  for (const [g, values] of s.unique) unique.set(g, new Set(values));
  r.nextFlush = s.nextFlush;
  r.nextDedup = s.nextDedup;
  r.flushes = s.flushes;
  // Series in the snapshot are known: their next sample continues them. Only series never seen
  // are new, and `total` counts those from zero as vmagent does, so no start-up blind spot.
  r.ignoreFirstUntil = now;
}
