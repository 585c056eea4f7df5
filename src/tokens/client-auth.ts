import { verifyClientAssertion } from "./client-assertion.ts";
import { firstPartyPublicClients, type IdentitySource, type TokenClient, type TokenTenant } from "./identity-source.ts";
import { oauthError } from "./oauth-errors.ts";
import type { TokenRequest, TokenServiceDeps } from "./token-request.ts";

/** The client id of the request: from `Authorization: Basic` when present, else the form. */
export function clientIdOf(request: TokenRequest): string | undefined {
  return request.basic?.clientId ?? request.form.client_id;
}

/** A confidential client proving itself with a secret (post or basic) or a signed assertion; returns the registered client. */
export async function authenticateClient(
  deps: TokenServiceDeps,
  tenant: TokenTenant,
  clientId: string,
  request: TokenRequest,
): Promise<{ client: TokenClient; credential: "secret" | "certificate" }> {
  // A throttled source or client is refused before any look-up, so a flood costs as little as possible.
  const throttle = deps.clientAuthThrottle;
  throttle.admit(clientId, request.sourceIp);
  const client = await deps.identities.findClient(tenant.id, clientId);
  if (!client) throw oauthError("applicationNotFound", clientId, tenant.id);
  try {
    const credential = await proveClient(deps, tenant, client, clientId, request);
    throttle.succeeded(clientId, request.sourceIp);
    return { client, credential };
  } catch (err) {
    throttle.failed(clientId, request.sourceIp);
    throw err;
  }
}

async function proveClient(
  deps: TokenServiceDeps,
  tenant: TokenTenant,
  client: TokenClient,
  clientId: string,
  request: TokenRequest,
): Promise<"secret" | "certificate"> {
  const assertion = request.form.client_assertion;
  if (assertion !== undefined && assertion !== "") {
    await verifyClientAssertion(deps, tenant, client, request, assertion);
    // Entra reports certificate and federated credentials alike as appidacr 2.
    return "certificate";
  }
  await checkClientSecret(deps.identities, client.applicationId, clientId, request);
  return "secret";
}

/** A user-facing grant needs a public client (first-party, like the Azure CLI) or a confidential one proving itself. */
export async function checkUserFacingClient(
  deps: TokenServiceDeps,
  tenant: TokenTenant,
  clientId: string,
  request: TokenRequest,
): Promise<void> {
  if (firstPartyPublicClients[clientId.toLowerCase()]) return;
  if (!(await deps.identities.findClient(tenant.id, clientId))) throw oauthError("applicationNotFound", clientId, tenant.id);
  if (!request.basic && request.form.client_secret === undefined && request.form.client_assertion === undefined)
    throw oauthError("publicClientNeeded", clientId);
  await authenticateClient(deps, tenant, clientId, request);
}

async function checkClientSecret(
  identities: IdentitySource,
  applicationId: string,
  clientId: string,
  request: TokenRequest,
): Promise<void> {
  const secret = request.basic?.clientSecret ?? request.form.client_secret;
  if (secret === undefined || secret === "") throw oauthError("clientCredentialMissing");
  const verdict = await identities.verifyClientSecret(applicationId, secret);
  if (verdict === "invalid") throw oauthError("invalidClientSecret", clientId);
  if (verdict === "expired") throw oauthError("expiredClientSecret", clientId);
}
