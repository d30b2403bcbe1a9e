/**
 * The engine service's own APIs as its runs see them: `SYSTEM_APIS.sluice` (the service at `baseUrl`),
 * `credentials`, `workflows` and `runs`; and the origin the egress guard must let through, so that a
 * step may call its own service even when calls to private networks are refused.
 *
 * @internal
 * @module
 */

/** The engine's own `SYSTEM_APIS` entries for the service at `baseUrl`. */
export function ownApis(baseUrl: string): Record<string, string> {
  const base = baseUrl.replace(/\/+$/, '');
  return {
    sluice: base,
    credentials: `${base}/v1/credentials`,
    workflows: `${base}/v1/workflows`,
    runs: `${base}/v1/runs`,
  };
}

/** `host:port` of the service at `baseUrl` (the default port of its scheme when it names none). */
export function ownOrigin(baseUrl: string): string {
  const own = new URL(baseUrl);
  return `${own.hostname}:${own.port || (own.protocol === 'https:' ? '443' : '80')}`;
}
