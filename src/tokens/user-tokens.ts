import type { ParsedScope } from "./audiences.ts";
import { discoveryIssuer } from "./discovery.ts";
import { mintIdToken } from "./id-token.ts";
import type { TokenTenant, TokenUser } from "./identity-source.ts";
import type { TokenSubject } from "./mint.ts";
import { refreshTokens } from "./refresh-tokens.ts";
import type { TokenRequest, TokenServiceDeps } from "./token-request.ts";
import { mintFor, respond, type TokenResponse } from "./token-response.ts";

interface UserSignIn {
  tenant: TokenTenant;
  user: TokenUser;
  clientId: string;
  scope: ParsedScope;
  authMethods: string[];
  /** The refresh-token family to continue (refresh grant); a new sign-in starts a new family. */
  familyId?: string;
  nonce?: string;
}

/** Which discovery document the client used: `/adfs/...`, `/{tenant}/oauth2/v2.0/...` or `/{tenant}/oauth2/...`. */
function authorityVersion(request: TokenRequest): "adfs" | "v1" | "v2" {
  if (request.tenant.toLowerCase() === "adfs") return "adfs";
  return request.endpointVersion ?? "v1";
}

/**
 * Everything a user grant returns: the access token, an id token when `openid` was asked for, and a rotated
 * refresh token when `offline_access` was asked for.
 */
export async function issueUserTokens(deps: TokenServiceDeps, request: TokenRequest, signIn: UserSignIn): Promise<TokenResponse> {
  const { tenant, user, clientId, scope } = signIn;
  const subject: TokenSubject = {
    kind: "user",
    objectId: user.id,
    userPrincipalName: user.userPrincipalName,
    displayName: user.displayName,
    clientAppId: clientId,
    authMethods: signIn.authMethods,
  };
  const response = respond(scope, await mintFor(deps, tenant, request.origin, scope, subject));
  const oidc = new Set(scope.oidc.map((s) => s.toLowerCase()));
  const version = authorityVersion(request);
  if (oidc.has("openid")) {
    response.id_token = await mintIdToken(deps.keys, deps.clock, {
      issuer: discoveryIssuer(request.origin, tenant.id, version),
      version: version === "v2" ? "2.0" : "1.0",
      tenantId: tenant.id,
      clientId,
      user,
      authMethods: signIn.authMethods,
      lifetimeSeconds: deps.tokenLifetimeSeconds,
      ...(signIn.nonce ? { nonce: signIn.nonce } : {}),
    });
  }
  if (oidc.has("offline_access")) {
    const binding = { tenantId: tenant.id, userId: user.id, clientId, authMethods: signIn.authMethods };
    response.refresh_token = await refreshTokens(deps.grants, deps.clock).issue(binding, signIn.familyId);
  }
  // MSAL builds its home account id from client_info (uid.utid); ADFS sends none, as MSAL expects there.
  if (request.form.client_info === "1" && version !== "adfs") {
    response.client_info = Buffer.from(JSON.stringify({ uid: user.id, utid: tenant.id })).toString("base64url");
  }
  return response;
}
