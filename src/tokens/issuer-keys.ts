import { createRemoteJWKSet, type JWTVerifyGetKey } from "jose";

/**
 * Signing keys of external OIDC issuers (workload identity federation, federated IdPs), found through the
 * issuer's discovery document and cached per issuer; jose refreshes a JWKS when an unknown kid shows up.
 */
export interface IssuerKeys {
  /** Whether the operator allows fetching this issuer's keys (checked before any network call). */
  allows(issuer: string): boolean;
  /** Keys of `issuer`, found through its discovery document (at `discoveryUrl` when given; its `issuer` must match). */
  keysFor(issuer: string, discoveryUrl?: string): Promise<JWTVerifyGetKey>;
}

/**
 * `allows` is the operator's allow-list: nothing a request or a directory entry names is fetched unless the operator
 * listed it, so the service cannot be made to probe hosts (timing would reveal open internal ports).
 */
export function remoteIssuerKeys(options: { allows: (issuer: string) => boolean; timeoutMs?: number }): IssuerKeys {
  const cache = new Map<string, Promise<JWTVerifyGetKey>>();
  const timeoutMs = options.timeoutMs ?? 5000;

  async function discover(issuer: string, discoveryUrl: string | undefined): Promise<JWTVerifyGetKey> {
    const url = discoveryUrl ?? `${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`;
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: "application/json" } });
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    const document = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
    if (document.issuer !== issuer) throw new Error(`${url} names issuer '${String(document.issuer)}'`);
    if (typeof document.jwks_uri !== "string" || !document.jwks_uri.startsWith("https://")) throw new Error(`${url} has no https jwks_uri`);
    return createRemoteJWKSet(new URL(document.jwks_uri), { timeoutDuration: timeoutMs });
  }

  return {
    allows: options.allows,
    keysFor(issuer, discoveryUrl) {
      if (!options.allows(issuer)) return Promise.reject(new Error(`issuer '${issuer}' is not on the allow-list`));
      const cacheKey = `${issuer} ${discoveryUrl ?? ""}`;
      let keys = cache.get(cacheKey);
      if (!keys) {
        keys = discover(issuer, discoveryUrl);
        cache.set(cacheKey, keys);
        // A failed discovery is retried on the next assertion rather than cached.
        keys.catch(() => cache.delete(cacheKey));
      }
      return keys;
    },
  };
}
