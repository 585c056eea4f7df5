import { createHash } from "node:crypto";
import { type Clock, nowIso } from "../core/clock.ts";
import { newSecret } from "../core/ids.ts";
import type { GrantStore } from "../storage/grant-store.ts";
import { oauthError } from "./oauth-errors.ts";

/** Codes are single-use and short-lived (Entra: 10 minutes). */
const AUTHORIZATION_CODE_LIFETIME_SECONDS = 600;

export interface AuthorizationRequest {
  tenantId: string;
  clientId: string;
  redirectUri: string;
  scope: string;
  codeChallenge: string;
  nonce: string | undefined;
}

/**
 * Where a code may be sent: this service's own origin (the portal), or loopback http on any port for native
 * clients (RFC 8252 §7.3). The directory keeps no redirect URIs per application, so nothing else is allowed.
 */
export function checkRedirectUri(redirectUri: string, origin: string): void {
  let url: URL;
  try {
    url = new URL(redirectUri);
  } catch {
    throw oauthError("redirectUriNotAllowed", redirectUri);
  }
  const sameOrigin = url.origin === new URL(origin).origin;
  const loopback = url.protocol === "http:" && (url.hostname === "localhost" || url.hostname === "127.0.0.1" || url.hostname === "[::1]");
  if (!(sameOrigin || loopback) || url.hash !== "") throw oauthError("redirectUriNotAllowed", redirectUri);
}

/** Issues a code for a signed-in user; only its hash is stored. PKCE (S256) is mandatory. */
export async function issueAuthorizationCode(
  grants: GrantStore,
  clock: Clock,
  request: AuthorizationRequest,
  userId: string,
): Promise<string> {
  const code = newSecret(32);
  await grants.insertAuthorizationCode({
    codeHash: hash(code),
    tenantId: request.tenantId,
    clientId: request.clientId.toLowerCase(),
    userId,
    redirectUri: request.redirectUri,
    scope: request.scope,
    codeChallenge: request.codeChallenge,
    codeChallengeMethod: "S256",
    nonce: request.nonce ?? null,
    expiresAt: new Date(clock.now() + AUTHORIZATION_CODE_LIFETIME_SECONDS * 1000).toISOString(),
    usedAt: null,
  });
  return code;
}

/** Redeems a code: once, by the same client, with the same redirect URI and the PKCE verifier. */
export async function redeemAuthorizationCode(
  grants: GrantStore,
  clock: Clock,
  input: { code: string; clientId: string; tenantId: string; redirectUri: string; codeVerifier: string | undefined },
) {
  const record = await grants.spendAuthorizationCode(hash(input.code), nowIso(clock));
  if (
    !record ||
    record.tenantId !== input.tenantId ||
    record.clientId !== input.clientId.toLowerCase() ||
    Date.parse(record.expiresAt) <= clock.now()
  ) {
    throw oauthError("authorizationCodeInvalid");
  }
  if (record.redirectUri !== input.redirectUri) throw oauthError("redirectUriMismatch");
  const challenge = input.codeVerifier ? createHash("sha256").update(input.codeVerifier).digest("base64url") : undefined;
  if (!challenge || challenge !== record.codeChallenge) throw oauthError("pkceInvalid");
  return { userId: record.userId, scope: record.scope, nonce: record.nonce ?? undefined };
}

function hash(code: string): string {
  return createHash("sha256").update(code).digest("base64url");
}
