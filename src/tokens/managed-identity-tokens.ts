import { resourceKindOf } from "./audiences.ts";
import { mintAccessToken } from "./mint.ts";
import { oauthError } from "./oauth-errors.ts";
import type { TokenServiceDeps } from "./token-request.ts";

interface ManagedIdentityTokenRequest {
  /** The per-identity endpoint secret (App Service header or the path segment); nothing is issued without it. */
  secret: string | undefined;
  resource: string | undefined;
  /** Optional selectors a client sends for a user-assigned identity; each must name the secret's identity. */
  clientId?: string | undefined;
  objectId?: string | undefined;
  resourceId?: string | undefined;
  origin: string;
}

/** The managed-identity response shape (App Service 2019-08-01 / IMDS): times as epoch-second strings. */
interface ManagedIdentityTokenResponse {
  access_token: string;
  client_id: string;
  expires_in: string;
  expires_on: string;
  ext_expires_in: string;
  not_before: string;
  resource: string;
  token_type: "Bearer";
}

export async function managedIdentityToken(
  deps: TokenServiceDeps,
  request: ManagedIdentityTokenRequest,
): Promise<ManagedIdentityTokenResponse> {
  const identity = request.secret ? await deps.identities.findManagedIdentityBySecret(request.secret) : undefined;
  if (!identity) throw oauthError("miSecretInvalid");
  if (request.clientId && request.clientId.toLowerCase() !== identity.clientId) throw oauthError("miIdentityMismatch", request.clientId);
  if (request.objectId && request.objectId.toLowerCase() !== identity.principalId) throw oauthError("miIdentityMismatch", request.objectId);
  if (request.resourceId && request.resourceId.toLowerCase() !== identity.resourceId.toLowerCase())
    throw oauthError("miIdentityMismatch", request.resourceId);
  if (!request.resource) throw oauthError("missingParameter", "resource");
  // The resource may come as a scope (`…/.default`) from some clients.
  const resource = request.resource.replace(/\/\.default$/, "");
  if (!resourceKindOf(resource)) throw oauthError("resourceNotFound", resource, identity.tenantId);
  const minted = await mintAccessToken(deps.keys, deps.clock, {
    issuer: `${request.origin}/${identity.tenantId}/`,
    tenantId: identity.tenantId,
    audience: resource,
    scopes: [],
    lifetimeSeconds: deps.tokenLifetimeSeconds,
    subject: {
      kind: "app",
      objectId: identity.principalId,
      appId: identity.clientId,
      displayName: identity.name,
      credential: "certificate",
      managedIdentityResourceId: identity.resourceId,
    },
  });
  return {
    access_token: minted.token,
    client_id: identity.clientId,
    expires_in: String(minted.expiresIn),
    expires_on: String(minted.expiresOn),
    ext_expires_in: String(minted.expiresIn),
    not_before: String(minted.expiresOn - minted.expiresIn),
    resource,
    token_type: "Bearer",
  };
}
