/**
 * OpenID discovery documents. `issuer` follows the origin the client used: MSAL rejects a document whose
 * issuer host differs from the authority's (docs/protocol-notes.md, "MSAL and @azure/identity").
 */
export function openIdConfiguration(origin: string, tenantSegment: string, tenantId: string, version: "v1" | "v2" | "adfs") {
  const base = `${origin}/${tenantSegment}`;
  const v2 = version === "v2" ? "/v2.0" : "";
  const issuer = discoveryIssuer(origin, tenantId, version);
  return {
    issuer,
    authorization_endpoint: `${base}/oauth2${v2}/authorize`,
    token_endpoint: `${base}/oauth2${v2}/token`,
    device_authorization_endpoint: `${base}/oauth2${v2}/devicecode`,
    jwks_uri: `${base}/discovery${v2}/keys`,
    end_session_endpoint: `${base}/oauth2${v2}/logout`,
    token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic", "private_key_jwt"],
    response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
    response_modes_supported: ["query", "fragment", "form_post"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    claims_supported: ["sub", "iss", "aud", "exp", "iat", "nbf", "name", "oid", "tid", "upn", "preferred_username", "ver"],
    tenant_region_scope: "NA",
    cloud_instance_name: new URL(origin).host,
    request_uri_parameter_supported: false,
  };
}

/** The `issuer` of the discovery document for one authority; id tokens carry exactly this `iss` (MSAL checks it). */
export function discoveryIssuer(origin: string, tenantId: string, version: "v1" | "v2" | "adfs"): string {
  if (version === "adfs") return `${origin}/adfs`;
  return version === "v2" ? `${origin}/${tenantId}/v2.0` : `${origin}/${tenantId}/`;
}
