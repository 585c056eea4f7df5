import { WireError } from "../core/errors.ts";

/**
 * The token service's error catalog (OAuth 2.0 `error` + Entra AADSTS numbers). The HTTP edge renders
 * `{error, error_description, error_codes, timestamp, trace_id, correlation_id}` from it.
 */
const catalog = {
  missingParameter: {
    error: "invalid_request",
    aadsts: 900144,
    status: 400,
    template: (name: string) => `The request body must contain the following parameter: '${name}'.`,
  },
  malformedRequest: {
    error: "invalid_request",
    aadsts: 90023,
    status: 400,
    template: (detail: string) => `The request could not be read: ${detail}`,
  },
  requestTooLarge: {
    error: "invalid_request",
    aadsts: 90023,
    status: 413,
    template: (limit: number) => `The request body is larger than ${limit} bytes, the limit for token service requests.`,
  },
  unsupportedGrantType: {
    error: "unsupported_grant_type",
    aadsts: 70003,
    status: 400,
    template: (grant: string) => `The app requested an unsupported grant type '${grant}'.`,
  },
  tenantNotFound: {
    error: "invalid_request",
    aadsts: 90002,
    status: 400,
    template: (tenant: string) =>
      `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
  },
  applicationNotFound: {
    error: "unauthorized_client",
    aadsts: 700016,
    status: 400,
    template: (appId: string, tenant: string) =>
      `Application with identifier '${appId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`,
  },
  servicePrincipalMissing: {
    error: "invalid_client",
    aadsts: 7000229,
    status: 400,
    template: (appId: string) =>
      `The client application ${appId} is missing service principal in the tenant. Create one with 'az ad sp create --id ${appId}'.`,
  },
  invalidClientSecret: {
    error: "invalid_client",
    aadsts: 7000215,
    status: 401,
    template: (appId: string) =>
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${appId}'.`,
  },
  expiredClientSecret: {
    error: "invalid_client",
    aadsts: 7000222,
    status: 401,
    template: (appId: string) =>
      `The provided client secret keys for app '${appId}' are expired. Create new keys for your app, or consider using certificate credentials for added security.`,
  },
  clientCredentialMissing: {
    error: "invalid_client",
    aadsts: 7000218,
    status: 401,
    template: () => "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
  },
  invalidUserCredentials: {
    error: "invalid_grant",
    aadsts: 50126,
    status: 400,
    template: () => "Error validating credentials due to invalid username or password.",
  },
  userDisabled: { error: "invalid_grant", aadsts: 50057, status: 400, template: () => "The user account is disabled." },
  invalidScope: {
    error: "invalid_scope",
    aadsts: 70011,
    status: 400,
    template: (scope: string) => `The provided value for the input parameter 'scope' is not valid. The scope ${scope} is not valid.`,
  },
  resourceNotFound: {
    error: "invalid_resource",
    aadsts: 500011,
    status: 400,
    template: (resource: string, tenant: string) =>
      `The resource principal named ${resource} was not found in the tenant named ${tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
  },
  publicClientNeeded: {
    error: "invalid_client",
    aadsts: 7000218,
    status: 400,
    template: (appId: string) =>
      `Application '${appId}' is confidential: it must present a client_secret or client_assertion, or use the client credentials grant.`,
  },
  refreshTokenInvalid: {
    error: "invalid_grant",
    aadsts: 9002313,
    status: 400,
    template: () => "Invalid request. The refresh token is malformed or was not issued by this tenant. Sign in again.",
  },
  refreshTokenWrongClient: {
    error: "invalid_grant",
    aadsts: 70000,
    status: 400,
    template: (clientId: string) => `The provided grant is invalid: the refresh token was not issued to client '${clientId}'.`,
  },
  refreshTokenRevoked: {
    error: "invalid_grant",
    aadsts: 50173,
    status: 400,
    template: () =>
      "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password, or the token was used twice. Sign in again.",
  },
  refreshTokenExpired: {
    error: "invalid_grant",
    aadsts: 700082,
    status: 400,
    template: (at: string) => `The refresh token has expired due to inactivity. The token was issued to expire at ${at}. Sign in again.`,
  },
  authorizationPending: {
    error: "authorization_pending",
    aadsts: 70016,
    status: 400,
    template: () => "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
  },
  deviceCodeExpired: {
    error: "expired_token",
    aadsts: 70019,
    status: 400,
    template: () => "Verification code expired. Start the device code flow again.",
  },
  deviceCodeDeclined: {
    error: "authorization_declined",
    aadsts: 70020,
    status: 400,
    template: () => "The user declined the device code sign-in. Start the device code flow again.",
  },
  deviceCodeUnknown: {
    error: "bad_verification_code",
    aadsts: 70000,
    status: 400,
    template: () => "The device code was not recognized. Start the device code flow again.",
  },
  deviceUserCodeRejected: {
    error: "invalid_request",
    aadsts: 70000,
    status: 400,
    template: (reason: string) => `The user code cannot be used: ${reason}.`,
  },
  bearerTokenRejected: {
    error: "invalid_token",
    aadsts: 50000,
    status: 401,
    template: (reason: string) => `${reason} Sign in again and present an access token for Azure Resource Manager or Microsoft Graph.`,
  },
  assertionTypeUnsupported: {
    error: "invalid_request",
    aadsts: 700009,
    status: 400,
    template: (type: string) =>
      `client_assertion_type '${type}' is not supported; use 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'.`,
  },
  assertionMalformed: {
    error: "invalid_client",
    aadsts: 50027,
    status: 401,
    template: (why: string) => `JWT token is invalid or malformed: ${why}.`,
  },
  assertionClientMismatch: {
    error: "invalid_client",
    aadsts: 700021,
    status: 401,
    template: (clientId: string) =>
      `Client assertion application identifier doesn't match 'client_id' parameter '${clientId}'. Set iss and sub of the assertion to the client id.`,
  },
  certificateNotRegistered: {
    error: "invalid_client",
    aadsts: 700027,
    status: 401,
    template: (thumbprint: string, appId: string) =>
      `The certificate with identifier used to sign the client assertion is not registered on application '${appId}'. [Reason - The key was not found., Thumbprint of key used by client: '${thumbprint}']. Upload the certificate to the application.`,
  },
  assertionSignatureInvalid: {
    error: "invalid_client",
    aadsts: 700027,
    status: 401,
    template: () => "Client assertion failed signature validation.",
  },
  assertionAudienceInvalid: {
    error: "invalid_client",
    aadsts: 700027,
    status: 401,
    template: (expected: string) => `Client assertion contains an invalid audience; it must be the token endpoint '${expected}'.`,
  },
  assertionOutsideValidity: {
    error: "invalid_client",
    aadsts: 700024,
    status: 401,
    template: () => "Client assertion is not within its valid time range (check exp and nbf, and the credential's end date).",
  },
  assertionReplayed: {
    error: "invalid_client",
    aadsts: 700023,
    status: 401,
    template: () => "The client assertion was already used (its jti was seen before). Create a new assertion for every request.",
  },
  federatedIssuerNoMatch: {
    error: "invalid_client",
    aadsts: 700211,
    status: 401,
    template: (issuer: string) =>
      `No matching federated identity record found for presented assertion issuer '${issuer}'. Add a federated identity credential with this issuer to the application.`,
  },
  federatedSubjectNoMatch: {
    error: "invalid_client",
    aadsts: 700213,
    status: 401,
    template: (subject: string) =>
      `No matching federated identity record found for presented assertion subject '${subject}'. Check the subject of the federated identity credential.`,
  },
  federatedAudienceNoMatch: {
    error: "invalid_client",
    aadsts: 700212,
    status: 401,
    template: (audience: string) => `No matching federated identity record found for presented assertion audience '${audience}'.`,
  },
  federatedIssuerNotAllowed: {
    error: "invalid_client",
    aadsts: 700211,
    status: 401,
    template: (issuer: string) =>
      `Issuer '${issuer}' is not on this service's list of federated issuers (setting federatedIssuers), so its keys are not fetched and the assertion cannot be verified. An operator must add the issuer first.`,
  },
  assertionLifetimeTooLong: {
    error: "invalid_client",
    aadsts: 700024,
    status: 401,
    template: (maxSeconds: number) =>
      `Client assertion is not within its valid time range: its lifetime (exp after nbf or iat, or after now) exceeds ${maxSeconds} seconds. Request a shorter-lived token from its issuer.`,
  },
  federatedIssuerUnreachable: {
    error: "invalid_client",
    aadsts: 700211,
    status: 401,
    template: (issuer: string) => `The signing keys of issuer '${issuer}' could not be retrieved; the assertion cannot be verified.`,
  },
  miMetadataHeaderMissing: {
    error: "invalid_request",
    aadsts: 900144,
    status: 400,
    template: () => "Required metadata header not specified. Send 'Metadata: true'.",
  },
  miSecretInvalid: {
    error: "invalid_client",
    aadsts: 7000215,
    status: 401,
    template: () =>
      "The managed identity endpoint secret is missing or not valid. Use the IDENTITY_HEADER / endpoint printed for this identity.",
  },
  miIdentityMismatch: {
    error: "invalid_request",
    aadsts: 700016,
    status: 400,
    template: (which: string) => `Identity not found: '${which}' is not the managed identity this endpoint secret belongs to.`,
  },
  signInLocked: {
    error: "invalid_grant",
    aadsts: 50053,
    status: 400,
    template: () =>
      "Your account is locked because you've tried to sign in too many times with an incorrect user ID or password. Wait a few minutes and try again.",
  },
  clientAuthThrottled: {
    error: "invalid_client",
    aadsts: 90055,
    status: 429,
    template: (who: string) =>
      `Too many failed client authentications for ${who} in the last minute; this request was not checked. Wait a minute and retry with the right credential.`,
  },
  authorizationCodeInvalid: {
    error: "invalid_grant",
    aadsts: 70008,
    status: 400,
    template: () => "The provided authorization code is invalid, expired or already redeemed. Sign in again.",
  },
  redirectUriMismatch: {
    error: "invalid_grant",
    aadsts: 50148,
    status: 400,
    template: () => "The redirect_uri does not match the one used in the authorization request.",
  },
  pkceInvalid: {
    error: "invalid_grant",
    aadsts: 50148,
    status: 400,
    template: () => "The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.",
  },
  redirectUriNotAllowed: {
    error: "invalid_request",
    aadsts: 50011,
    status: 400,
    template: (uri: string) =>
      `The redirect URI '${uri}' specified in the request does not match the redirect URIs allowed: this service's own origin, or http://localhost / http://127.0.0.1 on any port for native clients.`,
  },
  pkceRequired: {
    error: "invalid_request",
    aadsts: 9002325,
    status: 400,
    template: () => "Proof Key for Code Exchange is required: send code_challenge with code_challenge_method=S256.",
  },
} as const;

type OAuthErrorName = keyof typeof catalog;
export const oauthCatalog: Readonly<Record<OAuthErrorName, { error: string; aadsts: number; status: number }>> = catalog;

type Args<N extends OAuthErrorName> = Parameters<(typeof catalog)[N]["template"]>;

/** Builds the catalog entry `name` as a throwable error. */
export function oauthError<N extends OAuthErrorName>(name: N, ...args: Args<N>): WireError {
  const entry = catalog[name];
  const template = entry.template as (...a: Args<N>) => string;
  const description = `AADSTS${entry.aadsts}: ${template(...args)}`;
  return new WireError(entry.status, entry.error, description, { error_codes: [entry.aadsts] });
}
