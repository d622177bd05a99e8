import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DEFAULT_TENANT, formatTenant, parseTenant, sameTenant, type Tenant } from '../../host/batch/tenant.js';
import { BadInputError, UnauthorizedError } from '../../host/errors.js';

/** The `tenants` block shared by the ingest sources. */
export const tenantsSchema = z
  .strictObject({
    tokens: z
      .record(z.string().min(1), z.string().refine((t) => parseTenant(t) !== undefined, { message: 'expected a tenant as <account>[:<project>], e.g. 12 or 12:3' }))
      .default({})
      .describe('Bearer tokens and the tenant (`<account>[:<project>]`) each one writes to. A token-mapped tenant cannot be overridden by the URL path.'),
    require_auth: z.boolean().default(false).describe('Refuse requests without a known bearer token (401). Without it, unauthenticated requests use the tenant in the path, or 0:0.'),
  })
  .refine((t) => !t.require_auth || Object.keys(t.tokens).length > 0, { message: 'require_auth refuses every request unless tokens maps at least one token' })
  .prefault({})
  .describe('Tenant resolution: the URL path `/insert/<account>[:<project>]/...` as VictoriaMetrics cluster does, or a bearer token.');

export type TenantsConfig = z.output<typeof tenantsSchema>;

/**
 * Decides which tenant a request writes to. A known bearer token wins and pins the tenant: a path
 * naming another tenant is refused rather than ignored, so a client can neither write into
 * another tenant's series nor silently land in its own by mistake. Once tokens are configured an
 * unknown token is refused even when auth is optional, for the same reason; with none configured
 * the Authorization header is not ours (a proxy's basic auth, say) and is ignored.
 */
export class TenantAuth {
  readonly #tokens: Map<string, Tenant>;
  readonly #required: boolean;

  constructor(config: TenantsConfig) {
    this.#tokens = new Map(Object.entries(config.tokens).map(([token, tenant]) => [token, parseTenant(tenant)!]));
    this.#required = config.require_auth;
  }

  resolve(req: FastifyRequest, pathTenant: string | undefined): Tenant {
    let fromPath: Tenant | undefined;
    if (pathTenant !== undefined) {
      fromPath = parseTenant(pathTenant);
      if (!fromPath) throw new BadInputError(`invalid tenant ${JSON.stringify(pathTenant)} in the path; expected <account>[:<project>] with 32-bit numbers`);
    }
    if (this.#tokens.size === 0 && !this.#required) return fromPath ?? DEFAULT_TENANT;
    const token = bearerToken(req.headers.authorization);
    if (token !== undefined) {
      const tenant = this.#tokens.get(token);
      if (!tenant) throw new UnauthorizedError('unknown bearer token');
      if (fromPath && !sameTenant(fromPath, tenant)) {
        throw new UnauthorizedError(`this token writes to tenant ${formatTenant(tenant)} and cannot write to tenant ${formatTenant(fromPath)}`);
      }
      return tenant;
    }
    if (this.#required) throw new UnauthorizedError('authentication required: send Authorization: Bearer <token>');
    return fromPath ?? DEFAULT_TENANT;
  }
}

function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) throw new UnauthorizedError('unsupported Authorization scheme; expected Bearer <token>');
  return m[1];
}
