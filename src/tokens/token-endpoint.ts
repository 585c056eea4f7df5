import type { Clock } from "../core/clock.ts";
import type { GrantStore } from "../storage/grant-store.ts";
import { clientCredentialsGrant } from "./app-grants.ts";
import type { ClientAuthThrottle } from "./client-auth-throttle.ts";
import { required } from "./form.ts";
import type { IdentitySource, TokenTenant } from "./identity-source.ts";
import { oauthError } from "./oauth-errors.ts";
import type { IssuerKeys } from "./issuer-keys.ts";
import type { KeyRing } from "./signing-keys.ts";
import type { TokenResponse } from "./token-response.ts";
import { authorizationCodeGrant, deviceCodeGrant, passwordGrant, refreshTokenGrant } from "./user-grants.ts";

export type { TokenResponse } from "./token-response.ts";

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

/** The token endpoint as a pipeline: resolve the tenant, then run the grant's named steps. */
export async function handleTokenRequest(deps: TokenServiceDeps, request: TokenRequest): Promise<TokenResponse> {
  const tenant = await resolveTenant(deps.identities, request.tenant);
  const grantType = required(request.form, "grant_type");
  switch (grantType) {
    case "client_credentials":
      return clientCredentialsGrant(deps, tenant, request);
    case "password":
      return passwordGrant(deps, tenant, request);
    case "authorization_code":
      return authorizationCodeGrant(deps, tenant, request);
    case "refresh_token":
      return refreshTokenGrant(deps, tenant, request);
    // RFC 8628's name, and the short name MSAL for Node sends (Entra accepts both).
    case "urn:ietf:params:oauth:grant-type:device_code":
    case "device_code":
      return deviceCodeGrant(deps, tenant, request);
    default:
      throw oauthError("unsupportedGrantType", grantType);
  }
}

export async function resolveTenant(identities: IdentitySource, segment: string): Promise<TokenTenant> {
  const lower = segment.toLowerCase();
  if (lower === "adfs" || lower === "organizations" || lower === "common") return identities.defaultTenant();
  const tenant = await identities.findTenant(segment);
  if (!tenant) throw oauthError("tenantNotFound", segment);
  return tenant;
}
