import { type ParsedScope, parseScopeParameter, resourceKindOf } from "./audiences.ts";
import type { TokenTenant } from "./identity-source.ts";
import { type MintedToken, mintAccessToken, type TokenSubject } from "./mint.ts";
import { oauthError } from "./oauth-errors.ts";
import type { TokenServiceDeps } from "./token-request.ts";

export interface TokenResponse {
  token_type: "Bearer";
  scope: string;
  expires_in: number;
  ext_expires_in: number;
  expires_on: number;
  not_before: number;
  resource: string;
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  client_info?: string;
}

/** Parses `scope` into exactly one resource we issue tokens for, plus OIDC scopes. */
export function resourceScope(scope: string, tenant: TokenTenant): ParsedScope {
  const parsed = parseScopeParameter(scope);
  if (parsed === undefined || parsed === "several-resources") throw oauthError("invalidScope", scope);
  if (!resourceKindOf(parsed.resource)) throw oauthError("resourceNotFound", parsed.resource, tenant.id);
  return parsed;
}

export function mintFor(
  deps: TokenServiceDeps,
  tenant: TokenTenant,
  origin: string,
  scope: ParsedScope,
  subject: TokenSubject,
): Promise<MintedToken> {
  return mintAccessToken(deps.keys, deps.clock, {
    issuer: `${origin}/${tenant.id}/`,
    tenantId: tenant.id,
    audience: scope.resource,
    subject,
    scopes: scope.permissions,
    lifetimeSeconds: deps.tokenLifetimeSeconds,
  });
}

export function respond(scope: ParsedScope, minted: MintedToken): TokenResponse {
  return {
    token_type: "Bearer",
    scope: scope.permissions.length > 0 ? scope.permissions.map((p) => `${scope.resource}/${p}`).join(" ") : `${scope.resource}/.default`,
    expires_in: minted.expiresIn,
    ext_expires_in: minted.expiresIn,
    expires_on: minted.expiresOn,
    not_before: minted.expiresOn - minted.expiresIn,
    resource: scope.resource,
    access_token: minted.token,
  };
}
