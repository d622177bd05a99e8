/**
 * A tenant as VictoriaMetrics cluster names it: `<account>[:<project>]`, both 32-bit unsigned.
 * The default tenant is 0:0.
 */
export interface Tenant {
  readonly accountId: number;
  readonly projectId: number;
}

export const DEFAULT_TENANT: Tenant = Object.freeze({ accountId: 0, projectId: 0 });

const U32_MAX = 0xffff_ffff;

/** Parses `12` or `12:34`; returns undefined for anything else. */
export function parseTenant(text: string): Tenant | undefined {
  const m = /^(\d{1,10})(?::(\d{1,10}))?$/.exec(text);
  if (!m) return undefined;
  const accountId = Number(m[1]);
  const projectId = m[2] === undefined ? 0 : Number(m[2]);
  if (accountId > U32_MAX || projectId > U32_MAX) return undefined;
  return { accountId, projectId };
}

export function formatTenant(t: Tenant): string {
  return `${t.accountId}:${t.projectId}`;
}

export function sameTenant(a: Tenant, b: Tenant): boolean {
  return a.accountId === b.accountId && a.projectId === b.projectId;
}
