import { redeemAuthorizationCode } from "./authorization-codes.ts";
import { checkUserFacingClient } from "./client-auth.ts";
import { type DeviceCodeResponse, redeemDeviceCode, startDeviceCode } from "./device-codes.ts";
import { required } from "./form.ts";
import type { TokenTenant, TokenUser } from "./identity-source.ts";
import { oauthError } from "./oauth-errors.ts";
import { refreshTokens } from "./refresh-tokens.ts";
import { signInThrottle } from "./sign-in-throttle.ts";
import type { TokenRequest, TokenServiceDeps } from "./token-request.ts";
import { resourceScope, type TokenResponse } from "./token-response.ts";
import { issueUserTokens } from "./user-tokens.ts";

/** Resource-owner password credentials (`az login -u -p`, UsernamePasswordCredential). */
export async function passwordGrant(deps: TokenServiceDeps, tenant: TokenTenant, request: TokenRequest): Promise<TokenResponse> {
  const clientId = required(request.form, "client_id");
  const username = required(request.form, "username");
  const password = required(request.form, "password");
  const scope = resourceScope(required(request.form, "scope"), tenant);
  await checkUserFacingClient(deps, tenant, clientId, request);
  const user = await signInThrottle(deps.grants, deps.clock).attempt(username, request.sourceIp, async () => {
    const found = await deps.identities.verifyUserPassword(username, password);
    return found?.tenantId === tenant.id ? found : undefined;
  });
  if (!user) throw oauthError("invalidUserCredentials");
  if (!user.enabled) throw oauthError("userDisabled");
  return issueUserTokens(deps, request, { tenant, user, clientId, scope, authMethods: ["pwd"] });
}

/** refresh_token: rotates the presented token; the new access token may be for another resource. */
export async function refreshTokenGrant(deps: TokenServiceDeps, tenant: TokenTenant, request: TokenRequest): Promise<TokenResponse> {
  const clientId = required(request.form, "client_id");
  const presented = required(request.form, "refresh_token");
  const scope = resourceScope(required(request.form, "scope"), tenant);
  await checkUserFacingClient(deps, tenant, clientId, request);
  const record = await refreshTokens(deps.grants, deps.clock).redeem(presented, clientId, tenant.id);
  const user = await activeUser(deps, record.userId);
  // Rotation: the family continues even when the client did not repeat offline_access.
  const withOffline = scope.oidc.some((s) => s.toLowerCase() === "offline_access")
    ? scope
    : { ...scope, oidc: [...scope.oidc, "offline_access"] };
  return issueUserTokens(deps, request, {
    tenant,
    user,
    clientId,
    scope: withOffline,
    authMethods: record.authMethods,
    familyId: record.familyId,
  });
}

/** The device-code poll: pending until approved, then tokens for the scope remembered from the start. */
export async function deviceCodeGrant(deps: TokenServiceDeps, tenant: TokenTenant, request: TokenRequest): Promise<TokenResponse> {
  const clientId = required(request.form, "client_id");
  const deviceCode = request.form.device_code ?? required(request.form, "code");
  const approved = await redeemDeviceCode(deps.grants, deps.clock, deviceCode, clientId, tenant.id);
  const user = await activeUser(deps, approved.userId);
  return issueUserTokens(deps, request, {
    tenant,
    user,
    clientId,
    scope: resourceScope(approved.scope, tenant),
    authMethods: ["pwd", "mfa"],
  });
}

async function activeUser(deps: TokenServiceDeps, userId: string): Promise<TokenUser> {
  const user = await deps.identities.findUser(userId);
  if (!user) throw oauthError("refreshTokenRevoked");
  if (!user.enabled) throw oauthError("userDisabled");
  return user;
}

/** The device authorization request (`/oauth2/v2.0/devicecode`, `/adfs/oauth2/devicecode`). */
export async function deviceAuthorization(
  deps: TokenServiceDeps,
  tenant: TokenTenant,
  request: TokenRequest,
  verificationUri: string,
): Promise<DeviceCodeResponse> {
  const clientId = required(request.form, "client_id");
  const scopeText =
    request.form.scope ??
    (request.form.resource
      ? `${request.form.resource.replace(/\/$/, "")}/.default openid profile offline_access`
      : required(request.form, "scope"));
  resourceScope(scopeText, tenant);
  await checkUserFacingClient(deps, tenant, clientId, request);
  return startDeviceCode(deps.grants, deps.clock, { tenantId: tenant.id, clientId, scope: scopeText, verificationUri });
}

const OIDC_SCOPE_NAMES = new Set(["openid", "profile", "offline_access", "email"]);

/** authorization_code with PKCE (portal, MSAL auth-code flows). */
export async function authorizationCodeGrant(deps: TokenServiceDeps, tenant: TokenTenant, request: TokenRequest): Promise<TokenResponse> {
  const clientId = required(request.form, "client_id");
  const code = required(request.form, "code");
  const redirectUri = required(request.form, "redirect_uri");
  await checkUserFacingClient(deps, tenant, clientId, request);
  const granted = await redeemAuthorizationCode(deps.grants, deps.clock, {
    code,
    clientId,
    tenantId: tenant.id,
    redirectUri,
    codeVerifier: request.form.code_verifier,
  });
  const user = await activeUser(deps, granted.userId);
  // The token request may narrow to one resource; the authorization request's OIDC scopes still apply.
  const scope = resourceScope(request.form.scope ?? granted.scope, tenant);
  const grantedOidc = granted.scope.split(/\s+/).filter((s) => OIDC_SCOPE_NAMES.has(s.toLowerCase()));
  const oidc = [...new Set([...scope.oidc, ...grantedOidc])];
  return issueUserTokens(deps, request, {
    tenant,
    user,
    clientId,
    scope: { ...scope, oidc },
    authMethods: ["pwd"],
    ...(granted.nonce ? { nonce: granted.nonce } : {}),
  });
}
