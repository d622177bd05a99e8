import fc from 'fast-check';
import type { Tenant } from '../../host/batch/tenant.js';
import { sortLabels, type Label } from '../../host/series/labels.js';
import type { Matcher } from '../../host/series/matcher.js';

/** Few names and values, so random label sets overlap, share pairs and repeat. */
export const NAMES = ['__name__', 'job', 'instance', 'pod', 'le', 'zone'];
const VALUES = ['up', 'http_requests_total', 'api', 'db', 'h1:9100', 'h2:9100', 'a', 'b', '0.5', '+Inf', 'ü-zone', 'x'.repeat(70)];

export const TENANTS: Tenant[] = [
  { accountId: 0, projectId: 0 },
  { accountId: 1, projectId: 0 },
  { accountId: 1, projectId: 7 },
];

const value = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...VALUES) }, { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 40, unit: 'binary' }) });

/** A valid label set: sorted, unique names, non-empty values. */
export const labelSet = fc
  .uniqueArray(fc.tuple(fc.constantFrom(...NAMES), value), { minLength: 1, maxLength: 6, selector: (t) => t[0] })
  .map((pairs) => sortLabels(pairs.map(([name, v]): Label => ({ name, value: v }))));

const escape = (v: string) => v.replace(/[\\()[\]{}*+?|^$.]/g, (c) => `\\${c}`);
const REGEXES = ['', '.*', '.+', 'h.*', 'a|b', '(up|api)', '[^a]*', 'x{70}', '.*Inf', 'ü.*'];

/** Equality matchers on values and strays; regex matchers on patterns or escaped literal values. */
export const matcher: fc.Arbitrary<Matcher> = fc.oneof(
  fc.record({ name: fc.constantFrom(...NAMES), type: fc.constantFrom('=', '!=') as fc.Arbitrary<Matcher['type']>, value: fc.oneof(fc.constant(''), value) }),
  fc.record({
    name: fc.constantFrom(...NAMES),
    type: fc.constantFrom('=~', '!~') as fc.Arbitrary<Matcher['type']>,
    value: fc.oneof(fc.constantFrom(...REGEXES), value.map(escape)),
  }),
);

export type Op =
  | { kind: 'resolve'; tenant: number; labels: Label[] }
  | { kind: 'batch'; tenant: number; sets: Label[][] }
  | { kind: 'delete'; picks: number[] }
  | { kind: 'compact' }
  | { kind: 'select'; tenant: number; matchers: Matcher[] };

export const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 12, arbitrary: fc.record({ kind: fc.constant('resolve' as const), tenant: fc.nat(TENANTS.length - 1), labels: labelSet }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('batch' as const), tenant: fc.nat(TENANTS.length - 1), sets: fc.array(labelSet, { minLength: 1, maxLength: 8 }).chain((sets) => fc.shuffledSubarray([...sets, ...sets], { minLength: sets.length })) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete' as const), picks: fc.array(fc.nat(1000), { minLength: 1, maxLength: 5 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('compact' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('select' as const), tenant: fc.nat(TENANTS.length - 1), matchers: fc.array(matcher, { minLength: 1, maxLength: 3 }) }) },
);
