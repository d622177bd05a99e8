/**
 * The aggregate kernel (sum, count, min, max, last per group) over 1M groups hit in random order,
 * as stream aggregation sees them: the SIMD and scalar WebAssembly builds against the TypeScript
 * reference. Rates are per CPU second, which shared, noisy machines disturb far less than wall time.
 */
import { ReferenceGroupAggregator } from '../host/kernels/group-aggregator-reference.js';
import { WasmGroupAggregator } from '../host/kernels/group-aggregator-wasm.js';
import type { AggregateState, GroupAggregator } from '../host/kernels/group-aggregator.js';
import type { Benchmark, BenchOptions, BenchResult } from './lib/result.js';
import { seededRandom } from './load/random.js';
import { median, ratePerCpuSecond } from './lib/stats.js';

const GROUPS = 1_000_000;
const ROWS = 65_536;
/** Distinct batches cycled through, so the branch predictor and caches cannot learn one batch. */
const BATCHES = 16;

interface Input {
  groups: Uint32Array;
  values: Float64Array;
  ts: Float64Array;
}

function makeInputs(): Input[] {
  // A fixed seed: the same refs on every run and machine.
  const rand = seededRandom(0x5eed);
  const inputs: Input[] = [];
  for (let b = 0; b < BATCHES; b++) {
    const groups = new Uint32Array(ROWS);
    const values = new Float64Array(ROWS);
    const ts = new Float64Array(ROWS);
    for (let i = 0; i < ROWS; i++) {
      groups[i] = Math.floor(rand() * GROUPS);
      values[i] = rand() * 1000;
      ts[i] = 1_700_000_000_000 + b * ROWS + i;
    }
    inputs.push({ groups, values, ts });
  }
  return inputs;
}

function measure(agg: GroupAggregator, inputs: Input[], ms: number): number {
  agg.ensureGroups(GROUPS);
  let next = 0;
  const step = () => {
    const input = inputs[next++ % BATCHES]!;
    agg.update(input.groups, input.values, input.ts, ROWS);
    return ROWS;
  };
  ratePerCpuSecond(step, ms / 4); // warm-up: JIT tiers, page faults on the state arrays
  return ratePerCpuSecond(step, ms);
}

function stateBytesPerGroup(state: AggregateState): number {
  const fields = Object.values(state) as Float64Array[];
  return fields.reduce((n, f) => n + f.BYTES_PER_ELEMENT, 0);
}

const benchmark: Benchmark = {
  name: 'aggregate-kernel',
  description: 'sum/count/min/max/last over 1M groups in random order: WebAssembly (SIMD, scalar) vs TypeScript reference',
  async run({ quick, repeats = quick ? 1 : 3, log }: BenchOptions): Promise<BenchResult[]> {
    const ms = quick ? 250 : 1500;
    const inputs = makeInputs();
    const impls: [string, () => Promise<GroupAggregator>][] = [
      ['typescript', async () => new ReferenceGroupAggregator()],
      ['wasm-simd', () => WasmGroupAggregator.create({ variant: 'simd' })],
      ['wasm-scalar', () => WasmGroupAggregator.create({ variant: 'scalar' })],
    ];
    const runs = new Map<string, number[]>(impls.map(([n]) => [n, []]));
    // Interleave implementations within each repeat so a noisy neighbour hurts all of them alike.
    for (let r = 0; r < repeats; r++) {
      for (const [name, create] of impls) {
        const rate = measure(await create(), inputs, ms);
        runs.get(name)!.push(rate);
        log?.(`repeat ${r + 1}/${repeats} ${name}: ${(rate / 1e6).toFixed(2)}M samples/cpu-s`);
      }
    }
    const ref = median(runs.get('typescript')!);
    const results: BenchResult[] = [
      { name: 'aggregate-kernel', metric: 'typescript', value: ref, unit: 'samples/cpu-s', runs: runs.get('typescript')! },
    ];
    for (const name of ['wasm-simd', 'wasm-scalar']) {
      const v = median(runs.get(name)!);
      results.push({ name: 'aggregate-kernel', metric: name, value: v, unit: 'samples/cpu-s', reference: 'typescript', referenceValue: ref, ratio: v / ref, runs: runs.get(name)! });
    }
    const simd = await WasmGroupAggregator.create({ variant: 'simd' });
    simd.ensureGroups(GROUPS);
    results.push({ name: 'aggregate-kernel', metric: 'state/group', value: stateBytesPerGroup(simd.state()), unit: 'bytes' });
    return results;
  },
};

export default benchmark;
