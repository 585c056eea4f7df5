import { createHash, createPrivateKey, type KeyObject, randomUUID, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { SignJWT } from "jose";
import { withCause } from "../../core/errors.ts";
import { dataPlaneError } from "../data-plane-errors.ts";
import { loadUndici } from "../lazy-undici.ts";

/**
 * How an upstream backend proves who Keyless is with a Microsoft Entra token instead of a key: the operator's
 * `auth` block of the models file (docs/models.md, "Keyless upstreams"). Tokens come from plain HTTPS requests to
 * the configured authority (no MSAL): client credentials with a secret or a certificate assertion, workload identity
 * federation (a projected token file), or a managed-identity endpoint (App Service style).
 */
export type EntraAuth =
  | ({ type: "client-secret"; clientSecret: string } & Authority)
  | ({ type: "client-certificate"; certificate: CertificateKey } & Authority)
  | ({ type: "workload-identity"; tokenFile: string } & Authority)
  | {
      type: "managed-identity";
      endpoint: string;
      identityHeader: string;
      clientId: string | undefined;
      scope: string;
      refreshBeforeMs: number;
    };

interface Authority {
  authorityHost: string;
  tenantId: string;
  clientId: string;
  scope: string;
  refreshBeforeMs: number;
}

interface CertificateKey {
  privateKey: KeyObject;
  /** SHA-256 thumbprint of the DER certificate, base64url (the assertion's `x5t#S256` header). */
  thumbprintSha256: string;
}

export interface AccessToken {
  token: string;
  expiresAtMs: number;
}

/** Reads a PEM holding the private key and the certificate (as `ClientCertificateCredential`'s `certificatePath`). */
export function readCertificateKey(path: string): CertificateKey {
  const pem = readFileSync(path, "utf8");
  const certificate = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
  if (!certificate) throw new Error(`'${path}' holds no PEM certificate (it needs the private key and the certificate).`);
  const der = new X509Certificate(certificate).raw;
  return { privateKey: createPrivateKey(pem), thumbprintSha256: createHash("sha256").update(der).digest("base64url") };
}

/**
 * A token for one upstream, cached and refreshed ahead of expiry: a call finds the cached token unless fewer than
 * `refreshBeforeMs` remain (5 minutes by default, MSAL's margin), when it waits for a new one. Concurrent calls
 * share one acquisition (single flight). `get({ rejected })` after an upstream 401 forces a new token, unless
 * another call already replaced the rejected one. A failed refresh while the cached token is still valid keeps the
 * cached one (and reports the failure).
 */
export function cachedToken(
  acquire: () => Promise<AccessToken>,
  options: { refreshBeforeMs: number; now?: () => number; onRefreshFailed?: (err: unknown) => void },
) {
  const now = options.now ?? Date.now;
  let current: AccessToken | undefined;
  let pending: Promise<AccessToken> | undefined;
  let acquisitions = 0;

  function refresh(): Promise<AccessToken> {
    pending ??= (async () => {
      acquisitions++;
      try {
        current = await acquire();
        return current;
      } finally {
        pending = undefined;
      }
    })();
    return pending;
  }

  async function get(request: { rejected?: string } = {}): Promise<string> {
    const cached = current;
    const forced = request.rejected !== undefined && cached?.token === request.rejected;
    if (cached && !forced && (request.rejected !== undefined || now() < cached.expiresAtMs - options.refreshBeforeMs)) return cached.token;
    try {
      return (await refresh()).token;
    } catch (err) {
      if (cached && !forced && now() < cached.expiresAtMs - 1000) {
        options.onRefreshFailed?.(err);
        return cached.token;
      }
      throw err;
    }
  }

  return { get, acquisitions: () => acquisitions };
}

const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const ACQUIRE_TIMEOUT_MS = 10_000;

/** One token request to the identity provider, per the auth type. */
function acquirerFor(auth: EntraAuth): () => Promise<AccessToken> {
  if (auth.type === "managed-identity") return () => managedIdentityToken(auth);
  const tokenEndpoint = `${auth.authorityHost.replace(/\/+$/, "")}/${auth.tenantId}/oauth2/v2.0/token`;
  return async () => {
    const form = new URLSearchParams({ grant_type: "client_credentials", client_id: auth.clientId, scope: auth.scope });
    if (auth.type === "client-secret") form.set("client_secret", auth.clientSecret);
    else {
      form.set("client_assertion_type", JWT_BEARER);
      form.set(
        "client_assertion",
        auth.type === "client-certificate"
          ? await certificateAssertion(auth.certificate, auth.clientId, tokenEndpoint)
          : readFileSync(auth.tokenFile, "utf8").trim(),
      );
    }
    return tokenRequest(tokenEndpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: form.toString(),
    });
  };
}

/** The assertion `ClientCertificateCredential` sends: PS256, `x5t#S256`, aud the token endpoint, 10 minutes. */
function certificateAssertion(certificate: CertificateKey, clientId: string, audience: string): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: "PS256", typ: "JWT", "x5t#S256": certificate.thumbprintSha256 })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(audience)
    .setJti(randomUUID())
    .setIssuedAt()
    .setNotBefore("0s")
    .setExpirationTime("10m")
    .sign(certificate.privateKey);
}

/** App Service's managed-identity endpoint: `GET {endpoint}?resource=…&api-version=2019-08-01` with `X-IDENTITY-HEADER`. */
function managedIdentityToken(auth: Extract<EntraAuth, { type: "managed-identity" }>): Promise<AccessToken> {
  const url = new URL(auth.endpoint);
  url.searchParams.set("resource", auth.scope.replace(/\/\.default$/, ""));
  url.searchParams.set("api-version", "2019-08-01");
  if (auth.clientId) url.searchParams.set("client_id", auth.clientId);
  return tokenRequest(url.toString(), { method: "GET", headers: { "x-identity-header": auth.identityHeader, accept: "application/json" } });
}

async function tokenRequest(
  url: string,
  init: { method: "GET" | "POST"; headers: Record<string, string>; body?: string },
): Promise<AccessToken> {
  const started = Date.now();
  let status = 0;
  let body: Record<string, unknown> = {};
  try {
    const { request } = await loadUndici();
    const response = await request(url, { ...init, signal: AbortSignal.timeout(ACQUIRE_TIMEOUT_MS) });
    status = response.statusCode;
    const text = await response.body.text();
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch (err) {
    throw withCause(dataPlaneError("BackendCredentialUnavailable", "the identity provider did not answer"), err);
  }
  const token = body.access_token;
  if (status !== 200 || typeof token !== "string") {
    const reason = typeof body.error === "string" ? body.error : `HTTP ${status}`;
    throw withCause(
      dataPlaneError("BackendCredentialUnavailable", `the identity provider refused (${reason})`),
      new Error(`token request to ${new URL(url).origin} answered ${status}: ${String(body.error_description ?? "").slice(0, 500)}`),
    );
  }
  return { token, expiresAtMs: expiryOf(body, started) };
}

/** `expires_on` (epoch seconds, managed identity) or `expires_in` (seconds from the request); neither: expired now. */
function expiryOf(body: Record<string, unknown>, started: number): number {
  const on = Number(body.expires_on);
  if (Number.isFinite(on) && on > 0) return on * 1000;
  const seconds = Number(body.expires_in);
  return Number.isFinite(seconds) && seconds > 0 ? started + seconds * 1000 : started;
}

/** The `Authorization: Bearer` header from a cached token; after a 401 the rejected header asks for a new token. */
export function entraAuth(auth: EntraAuth, onRefreshFailed?: (err: unknown) => void) {
  const tokens = cachedToken(acquirerFor(auth), { refreshBeforeMs: auth.refreshBeforeMs, ...(onRefreshFailed ? { onRefreshFailed } : {}) });
  return {
    async headers(request: { rejected?: Record<string, string> } = {}): Promise<Record<string, string>> {
      const rejected = request.rejected?.authorization?.replace(/^Bearer /, "");
      return { authorization: `Bearer ${await tokens.get(rejected === undefined ? {} : { rejected })}` };
    },
    acquisitions: tokens.acquisitions,
  };
}
