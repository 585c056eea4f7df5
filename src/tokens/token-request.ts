import type { Clock } from "../core/clock.ts";
import type { GrantStore } from "../storage/grant-store.ts";
import type { ClientAuthThrottle } from "./client-auth-throttle.ts";
import type { IdentitySource, TokenTenant } from "./identity-source.ts";
import type { IssuerKeys } from "./issuer-keys.ts";
import { oauthError } from "./oauth-errors.ts";
import type { KeyRing } from "./signing-keys.ts";

/**
 * What every grant step is given: the token service's dependencies and the request as the HTTP edge read it. A leaf
 * of the module, so the endpoint, the grants and the response builders import it without importing each other.
 */
export interface TokenServiceDeps {
  identities: IdentitySource;
  keys: KeyRing;
  clock: Clock;
  grants: GrantStore;
  /** Signing keys of external issuers (federated identity credentials). */
  issuerKeys: IssuerKeys;
  tokenLifetimeSeconds: number;
  /** Longest lifetime accepted for a client assertion (exp after nbf or iat, and after now). */
  assertionMaxLifetimeSeconds: number;
  /** Failed client authentications, per source and per client (in memory on each node). */
  clientAuthThrottle: ClientAuthThrottle;
}

export interface TokenRequest {
  /** The tenant path segment the client used: a GUID, a domain, `adfs`, `organizations` or `common`. */
  tenant: string;
  /** `v2` for `/oauth2/v2.0/...`, `v1` for `/oauth2/...`; with the segment it picks the id token's issuer. */
  endpointVersion?: "v1" | "v2";
  /** The origin the client reached us at, e.g. `https://localhost:8443`; tokens' `iss` follows it. */
  origin: string;
  form: Readonly<Record<string, string | undefined>>;
  /** The caller's network address, for the password-guessing throttle. */
  sourceIp?: string;
  /** Client id and secret from an `Authorization: Basic` header (client_secret_basic). */
  basic?: { clientId: string; clientSecret: string };
}

/**
 * The tenant a path segment names: a GUID or a domain, or the default tenant for `adfs`, `organizations` and
 * `common`. The one resolver for the token endpoint, device code, authorization and discovery routes.
 */
export async function resolveTenant(identities: IdentitySource, segment: string): Promise<TokenTenant> {
  const lower = segment.toLowerCase();
  if (lower === "adfs" || lower === "organizations" || lower === "common") return identities.defaultTenant();
  const tenant = await identities.findTenant(segment);
  if (!tenant) throw oauthError("tenantNotFound", segment);
  return tenant;
}
