import type { Clock } from "../core/clock.ts";
import { type ParsedScope, parseScopeParameter, resourceKindOf } from "./audiences.ts";
import { firstPartyPublicClients, type IdentitySource, type TokenTenant } from "./identity-source.ts";
import { type MintedToken, mintAccessToken, type TokenSubject } from "./mint.ts";
import { oauthError } from "./oauth-errors.ts";
import type { KeyRing } from "./signing-keys.ts";

export interface TokenServiceDeps {
  identities: IdentitySource;
  keys: KeyRing;
  clock: Clock;
  tokenLifetimeSeconds: number;
}

export interface TokenRequest {
  /** The tenant path segment the client used: a GUID, a domain, `adfs`, `organizations` or `common`. */
  tenant: string;
  /** The origin the client reached us at, e.g. `https://localhost:8443`; tokens' `iss` follows it. */
  origin: string;
  form: Readonly<Record<string, string | undefined>>;
  /** Client id and secret from an `Authorization: Basic` header (client_secret_basic). */
  basic?: { clientId: string; clientSecret: string };
}

export interface TokenResponse {
  token_type: "Bearer";
  scope: string;
  expires_in: number;
  ext_expires_in: number;
  expires_on: number;
  not_before: number;
  resource: string;
  access_token: string;
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
    default:
      throw oauthError("unsupportedGrantType", grantType);
  }
}

export function issuerFor(origin: string, tenantId: string): string {
  return `${origin}/${tenantId}/`;
}

async function resolveTenant(identities: IdentitySource, segment: string): Promise<TokenTenant> {
  const lower = segment.toLowerCase();
  if (lower === "adfs" || lower === "organizations" || lower === "common") return identities.defaultTenant();
  const tenant = await identities.findTenant(segment);
  if (!tenant) throw oauthError("tenantNotFound", segment);
  return tenant;
}

async function clientCredentialsGrant(deps: TokenServiceDeps, tenant: TokenTenant, request: TokenRequest): Promise<TokenResponse> {
  const clientId = request.basic?.clientId ?? required(request.form, "client_id");
  const scope = resourceScope(required(request.form, "scope"), tenant);
  const client = await deps.identities.findClient(tenant.id, clientId);
  if (!client) throw oauthError("applicationNotFound", clientId, tenant.id);
  await checkClientSecret(deps.identities, client.applicationId, clientId, request);
  if (!client.servicePrincipalId) throw oauthError("servicePrincipalMissing", clientId);
  const subject: TokenSubject = { kind: "app", objectId: client.servicePrincipalId, appId: client.appId, displayName: client.displayName, credential: "secret" };
  return respond(scope, await mint(deps, tenant, request.origin, scope, subject));
}

async function passwordGrant(deps: TokenServiceDeps, tenant: TokenTenant, request: TokenRequest): Promise<TokenResponse> {
  const clientId = required(request.form, "client_id");
  const username = required(request.form, "username");
  const password = required(request.form, "password");
  const scope = resourceScope(required(request.form, "scope"), tenant);
  await checkPublicClient(deps, tenant, clientId, request);
  const user = await deps.identities.verifyUserPassword(username, password);
  if (!user || user.tenantId !== tenant.id) throw oauthError("invalidUserCredentials");
  if (!user.enabled) throw oauthError("userDisabled");
  const subject: TokenSubject = {
    kind: "user", objectId: user.id, userPrincipalName: user.userPrincipalName, displayName: user.displayName, clientAppId: clientId, authMethods: ["pwd"],
  };
  return respond(scope, await mint(deps, tenant, request.origin, scope, subject));
}

/** A user-facing grant needs a public client (first-party, like the Azure CLI) or a confidential one proving itself. */
async function checkPublicClient(deps: TokenServiceDeps, tenant: TokenTenant, clientId: string, request: TokenRequest): Promise<void> {
  if (firstPartyPublicClients[clientId.toLowerCase()]) return;
  const client = await deps.identities.findClient(tenant.id, clientId);
  if (!client) throw oauthError("applicationNotFound", clientId, tenant.id);
  if (!request.basic && request.form.client_secret === undefined) throw oauthError("publicClientNeeded", clientId);
  await checkClientSecret(deps.identities, client.applicationId, clientId, request);
}

async function checkClientSecret(identities: IdentitySource, applicationId: string, clientId: string, request: TokenRequest): Promise<void> {
  const secret = request.basic?.clientSecret ?? request.form.client_secret;
  if (secret === undefined || secret === "") throw oauthError("clientCredentialMissing");
  const verdict = await identities.verifyClientSecret(applicationId, secret);
  if (verdict === "invalid") throw oauthError("invalidClientSecret", clientId);
  if (verdict === "expired") throw oauthError("expiredClientSecret", clientId);
}

function resourceScope(scope: string, tenant: TokenTenant): ParsedScope {
  const parsed = parseScopeParameter(scope);
  if (parsed === undefined || parsed === "several-resources") throw oauthError("invalidScope", scope);
  if (!resourceKindOf(parsed.resource)) throw oauthError("resourceNotFound", parsed.resource, tenant.id);
  return parsed;
}

function mint(deps: TokenServiceDeps, tenant: TokenTenant, origin: string, scope: ParsedScope, subject: TokenSubject): Promise<MintedToken> {
  return mintAccessToken(deps.keys, deps.clock, {
    issuer: issuerFor(origin, tenant.id), tenantId: tenant.id, audience: scope.resource, subject, scopes: scope.permissions, lifetimeSeconds: deps.tokenLifetimeSeconds,
  });
}

function respond(scope: ParsedScope, minted: MintedToken): TokenResponse {
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

function required(form: Readonly<Record<string, string | undefined>>, name: string): string {
  const value = form[name];
  if (value === undefined || value === "") throw oauthError("missingParameter", name);
  return value;
}
