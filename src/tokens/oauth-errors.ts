import { WireError } from "../core/errors.ts";

/**
 * The token service's error catalog (OAuth 2.0 `error` + Entra AADSTS numbers). The HTTP edge renders
 * `{error, error_description, error_codes, timestamp, trace_id, correlation_id}` from it.
 */
const catalog = {
  missingParameter: { error: "invalid_request", aadsts: 900144, status: 400, template: (name: string) => `The request body must contain the following parameter: '${name}'.` },
  unsupportedGrantType: { error: "unsupported_grant_type", aadsts: 70003, status: 400, template: (grant: string) => `The app requested an unsupported grant type '${grant}'.` },
  tenantNotFound: { error: "invalid_request", aadsts: 90002, status: 400, template: (tenant: string) => `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.` },
  applicationNotFound: { error: "unauthorized_client", aadsts: 700016, status: 400, template: (appId: string, tenant: string) => `Application with identifier '${appId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.` },
  servicePrincipalMissing: { error: "invalid_client", aadsts: 7000229, status: 400, template: (appId: string) => `The client application ${appId} is missing service principal in the tenant. Create one with 'az ad sp create --id ${appId}'.` },
  invalidClientSecret: { error: "invalid_client", aadsts: 7000215, status: 401, template: (appId: string) => `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${appId}'.` },
  expiredClientSecret: { error: "invalid_client", aadsts: 7000222, status: 401, template: (appId: string) => `The provided client secret keys for app '${appId}' are expired. Create new keys for your app, or consider using certificate credentials for added security.` },
  clientCredentialMissing: { error: "invalid_client", aadsts: 7000218, status: 401, template: () => "The request body must contain the following parameter: 'client_assertion' or 'client_secret'." },
  invalidUserCredentials: { error: "invalid_grant", aadsts: 50126, status: 400, template: () => "Error validating credentials due to invalid username or password." },
  userDisabled: { error: "invalid_grant", aadsts: 50057, status: 400, template: () => "The user account is disabled." },
  invalidScope: { error: "invalid_scope", aadsts: 70011, status: 400, template: (scope: string) => `The provided value for the input parameter 'scope' is not valid. The scope ${scope} is not valid.` },
  resourceNotFound: { error: "invalid_resource", aadsts: 500011, status: 400, template: (resource: string, tenant: string) => `The resource principal named ${resource} was not found in the tenant named ${tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.` },
  publicClientNeeded: { error: "invalid_client", aadsts: 7000218, status: 400, template: (appId: string) => `Application '${appId}' is confidential: it must present a client_secret or client_assertion, or use the client credentials grant.` },
} as const;

export type OAuthErrorName = keyof typeof catalog;
export const oauthCatalog: Readonly<Record<OAuthErrorName, { error: string; aadsts: number; status: number }>> = catalog;

type Args<N extends OAuthErrorName> = Parameters<(typeof catalog)[N]["template"]>;

/** Builds the catalog entry `name` as a throwable error. */
export function oauthError<N extends OAuthErrorName>(name: N, ...args: Args<N>): WireError {
  const entry = catalog[name];
  const template = entry.template as (...a: Args<N>) => string;
  const description = `AADSTS${entry.aadsts}: ${template(...args)}`;
  return new WireError(entry.status, entry.error, description, { error_codes: [entry.aadsts] });
}
