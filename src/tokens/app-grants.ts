import { authenticateClient, clientIdOf } from "./client-auth.ts";
import { required } from "./form.ts";
import type { TokenTenant } from "./identity-source.ts";
import type { TokenSubject } from "./mint.ts";
import { oauthError } from "./oauth-errors.ts";
import type { TokenRequest, TokenServiceDeps } from "./token-request.ts";
import { mintFor, resourceScope, respond, type TokenResponse } from "./token-response.ts";

/** client_credentials: an application acting as itself through its service principal. */
export async function clientCredentialsGrant(deps: TokenServiceDeps, tenant: TokenTenant, request: TokenRequest): Promise<TokenResponse> {
  const clientId = clientIdOf(request) ?? required(request.form, "client_id");
  const scope = resourceScope(required(request.form, "scope"), tenant);
  const { client, credential } = await authenticateClient(deps, tenant, clientId, request);
  if (!client.servicePrincipalId) throw oauthError("servicePrincipalMissing", clientId);
  const subject: TokenSubject = {
    kind: "app",
    objectId: client.servicePrincipalId,
    appId: client.appId,
    displayName: client.displayName,
    credential,
  };
  return respond(scope, await mintFor(deps, tenant, request.origin, scope, subject));
}
