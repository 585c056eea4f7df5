import { nowIso } from "../core/clock.ts";
import { createHash, createPublicKey, X509Certificate } from "node:crypto";
import { decodeJwt, decodeProtectedHeader, errors as joseErrors, type JWTPayload, jwtVerify, type ProtectedHeaderParameters } from "jose";
import type { TokenClient, TokenTenant } from "./identity-source.ts";
import { oauthError } from "./oauth-errors.ts";
import type { TokenRequest, TokenServiceDeps } from "./token-request.ts";
import { outlives } from "./token-lifetime.ts";

const JWT_BEARER_ASSERTION = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const CLOCK_SKEW_SECONDS = 300;
const CERTIFICATE_ALGORITHMS = ["RS256", "PS256"];
const FEDERATED_ALGORITHMS = ["RS256", "PS256", "ES256", "ES384", "RS384", "RS512", "PS384", "PS512"];

/**
 * A client proving itself with a signed JWT: either signed by a certificate registered on the application
 * (header x5t or x5t#S256), or a token from an external issuer that one of the application's federated
 * identity credentials trusts (workload identity federation).
 */
export async function verifyClientAssertion(
  deps: TokenServiceDeps,
  tenant: TokenTenant,
  client: TokenClient,
  request: TokenRequest,
  assertion: string,
): Promise<"certificate" | "federated"> {
  const type = request.form.client_assertion_type ?? "";
  if (type !== JWT_BEARER_ASSERTION) throw oauthError("assertionTypeUnsupported", type);
  let header: ProtectedHeaderParameters;
  try {
    header = decodeProtectedHeader(assertion);
  } catch {
    throw oauthError("assertionMalformed", "the client_assertion is not a JWS in compact form");
  }
  if (header.x5t !== undefined || header["x5t#S256"] !== undefined) {
    await verifyCertificateAssertion(deps, tenant, client, request, assertion, header);
    return "certificate";
  }
  await verifyFederatedAssertion(deps, client, assertion);
  return "federated";
}

async function verifyCertificateAssertion(
  deps: TokenServiceDeps,
  tenant: TokenTenant,
  client: TokenClient,
  request: TokenRequest,
  assertion: string,
  header: ProtectedHeaderParameters,
): Promise<void> {
  const sha256 = header["x5t#S256"] as string | undefined;
  const sha1 = header.x5t;
  const certificates = await deps.identities.clientCertificates(client.applicationId);
  const registered = certificates.find(
    (c) => (sha256 !== undefined && c.thumbprintSha256 === sha256) || (sha1 !== undefined && c.thumbprintSha1 === sha1),
  );
  if (!registered) throw oauthError("certificateNotRegistered", sha256 ?? sha1 ?? "", client.appId);
  if (Date.parse(registered.endAt) <= deps.clock.now()) throw oauthError("assertionOutsideValidity");
  const key = createPublicKey(new X509Certificate(registered.certificatePem).publicKey.export({ format: "pem", type: "spki" }));
  const audiences = tokenEndpointAudiences(request, tenant);
  const payload = await verifyOrExplain(
    () =>
      jwtVerify(assertion, key, {
        algorithms: CERTIFICATE_ALGORITHMS,
        audience: audiences,
        requiredClaims: ["exp", "jti", "iss", "sub"],
        currentDate: new Date(deps.clock.now()),
        clockTolerance: CLOCK_SKEW_SECONDS,
      }),
    audiences[0]!,
  );
  if (outlives(payload, deps.assertionMaxLifetimeSeconds, deps.clock.now()))
    throw oauthError("assertionLifetimeTooLong", deps.assertionMaxLifetimeSeconds);
  if (payload.iss?.toLowerCase() !== client.appId || payload.sub?.toLowerCase() !== client.appId)
    throw oauthError("assertionClientMismatch", client.appId);
  const jtiKey = createHash("sha256").update(`${client.appId}\n${payload.jti}`).digest("base64url");
  const spent = await deps.grants.spendAssertion(
    jtiKey,
    new Date((payload.exp! + CLOCK_SKEW_SECONDS) * 1000).toISOString(),
    nowIso(deps.clock),
  );
  if (!spent) throw oauthError("assertionReplayed");
}

async function verifyFederatedAssertion(deps: TokenServiceDeps, client: TokenClient, assertion: string): Promise<void> {
  let unverified: JWTPayload;
  try {
    unverified = decodeJwt(assertion);
  } catch {
    throw oauthError("assertionMalformed", "the client_assertion payload is not JSON");
  }
  const issuer = unverified.iss ?? "";
  const trusted = (await deps.identities.federatedCredentials(client.applicationId)).filter((f) => f.issuer === issuer);
  if (trusted.length === 0) throw oauthError("federatedIssuerNoMatch", issuer);
  // Registered is not enough: only issuers the operator listed are ever fetched.
  if (!deps.issuerKeys.allows(issuer)) throw oauthError("federatedIssuerNotAllowed", issuer);
  let keys: Awaited<ReturnType<TokenServiceDeps["issuerKeys"]["keysFor"]>>;
  try {
    keys = await deps.issuerKeys.keysFor(issuer);
  } catch {
    throw oauthError("federatedIssuerUnreachable", issuer);
  }
  const payload = await verifyOrExplain(
    () =>
      jwtVerify(assertion, keys, {
        algorithms: FEDERATED_ALGORITHMS,
        issuer,
        requiredClaims: ["exp", "sub", "aud"],
        currentDate: new Date(deps.clock.now()),
        clockTolerance: CLOCK_SKEW_SECONDS,
      }),
    "",
  );
  if (outlives(payload, deps.assertionMaxLifetimeSeconds, deps.clock.now()))
    throw oauthError("assertionLifetimeTooLong", deps.assertionMaxLifetimeSeconds);
  const bySubject = trusted.filter((f) => f.subject === payload.sub);
  if (bySubject.length === 0) throw oauthError("federatedSubjectNoMatch", payload.sub ?? "");
  const audiences = typeof payload.aud === "string" ? [payload.aud] : (payload.aud ?? []);
  if (!bySubject.some((f) => f.audiences.some((a) => audiences.includes(a))))
    throw oauthError("federatedAudienceNoMatch", audiences.join(", "));
}

/** The token endpoint URLs an assertion may name as `aud`: both versions, for the segment used and the tenant id. */
function tokenEndpointAudiences(request: TokenRequest, tenant: TokenTenant): string[] {
  const segments = [...new Set([request.tenant, tenant.id, tenant.defaultDomain])];
  const primary = request.endpointVersion === "v2" ? "/oauth2/v2.0/token" : "/oauth2/token";
  const other = request.endpointVersion === "v2" ? "/oauth2/token" : "/oauth2/v2.0/token";
  return segments.flatMap((s) => [`${request.origin}/${s}${primary}`, `${request.origin}/${s}${other}`]);
}

async function verifyOrExplain(verify: () => Promise<{ payload: JWTPayload }>, expectedAudience: string): Promise<JWTPayload> {
  try {
    return (await verify()).payload;
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired) throw oauthError("assertionOutsideValidity");
    if (err instanceof joseErrors.JWTClaimValidationFailed) {
      if (err.claim === "aud") throw oauthError("assertionAudienceInvalid", expectedAudience);
      if (err.claim === "nbf" || err.claim === "iat") throw oauthError("assertionOutsideValidity");
      throw oauthError("assertionMalformed", `claim '${err.claim}' is missing or wrong`);
    }
    if (err instanceof joseErrors.JOSEAlgNotAllowed) throw oauthError("assertionMalformed", "the signing algorithm is not allowed");
    throw oauthError("assertionSignatureInvalid");
  }
}
