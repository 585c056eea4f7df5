import { clientCredentialsGrant } from "./app-grants.ts";
import { required } from "./form.ts";
import { oauthError } from "./oauth-errors.ts";
import { resolveTenant, type TokenRequest, type TokenServiceDeps } from "./token-request.ts";
import type { TokenResponse } from "./token-response.ts";
import { authorizationCodeGrant, deviceCodeGrant, passwordGrant, refreshTokenGrant } from "./user-grants.ts";

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
