import { z } from 'zod';
import { duration } from '../../host/config/schema.js';
import { formatTenant, parseTenant, type Tenant } from '../../host/batch/tenant.js';

const limitFields = {
  max_hourly_series: z.number().int().positive().optional().describe('Distinct series a tenant may send in any sliding hour; samples of further new series are dropped (like vmagent -remoteWrite.maxHourlySeries).'),
  max_daily_series: z.number().int().positive().optional().describe('Distinct series a tenant may send in any sliding 24 hours (like vmagent -remoteWrite.maxDailySeries).'),
  max_samples_per_second: z.number().positive().optional().describe('Ingestion rate limit per tenant (token bucket).'),
  burst_samples: z.number().int().positive().optional().describe('Token bucket size: samples a tenant may send at once after being idle. Default: one second of max_samples_per_second.'),
};

const limits = z.strictObject(limitFields);
export type TenantLimits = z.output<typeof limits>;

export const filterSchema = z
  .strictObject({
    max_age: duration('Drop samples older than this (a retry backlog must not distort real-time results). Unset: no limit.').optional(),
    window_align: duration('Drop samples from before the start of the current interval of this length, as an aggregation with this interval would see them. Unset: off.').optional(),
    max_future: duration('Drop samples with timestamps further than this in the future. Unset: no limit.').optional(),
    drop_nan: z.boolean().default(false).describe('Drop samples whose value is a plain NaN. Stale markers are not plain NaNs and are kept.'),
    drop_stale_markers: z.boolean().default(false).describe('Drop Prometheus stale markers too (they end series in storage; keep them unless you know why).'),
    rate_limit_action: z
      .enum(['drop', 'reject'])
      .default('drop')
      .describe('Over max_samples_per_second: drop the excess samples (counted), or reject the whole batch with 429 so the client retries later.'),
    ...limitFields,
    tenants: z
      .record(z.string().refine((k) => parseTenant(k) !== undefined, { message: 'invalid tenant; expected account or account:project' }), limits)
      .default({})
      .describe('Per-tenant overrides of the limits, keyed by tenant (`account` or `account:project`); unset fields inherit the top-level ones.'),
  });

export type FilterConfig = z.output<typeof filterSchema>;

/** The limits that apply to each tenant: its override merged over the defaults, cached. */
export class LimitTable {
  readonly #defaults: TenantLimits;
  readonly #overrides = new Map<string, TenantLimits>();
  readonly #cache = new Map<string, TenantLimits>();

  constructor(config: FilterConfig) {
    this.#defaults = {
      max_hourly_series: config.max_hourly_series,
      max_daily_series: config.max_daily_series,
      max_samples_per_second: config.max_samples_per_second,
      burst_samples: config.burst_samples,
    };
    for (const [key, l] of Object.entries(config.tenants)) this.#overrides.set(formatTenant(parseTenant(key)!), l);
  }

  /** Whether any tenant has a limit of this kind, so the filter can skip the work entirely. */
  any(field: keyof TenantLimits): boolean {
    return this.#defaults[field] !== undefined || [...this.#overrides.values()].some((l) => l[field] !== undefined);
  }

  for(tenant: Tenant): TenantLimits {
    const key = formatTenant(tenant);
    let l = this.#cache.get(key);
    if (!l) {
      const o = this.#overrides.get(key) ?? {};
      l = Object.fromEntries(Object.keys(this.#defaults).map((f) => [f, o[f as keyof TenantLimits] ?? this.#defaults[f as keyof TenantLimits]])) as TenantLimits;
      this.#cache.set(key, l);
    }
    return l;
  }
}
