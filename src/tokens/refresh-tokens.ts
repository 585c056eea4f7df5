import { createHash } from "node:crypto";
import type { Clock } from "../core/clock.ts";
import { newGuid, newSecret } from "../core/ids.ts";
import type { GrantStore, RefreshTokenRecord } from "../storage/grant-store.ts";
import { oauthError } from "./oauth-errors.ts";

/** Entra's refresh tokens live 90 days; each use rotates the token, so an active session never hits this. */
export const REFRESH_TOKEN_LIFETIME_SECONDS = 90 * 24 * 3600;

interface RefreshBinding {
  tenantId: string;
  userId: string;
  clientId: string;
  authMethods: string[];
}

/**
 * Refresh tokens are opaque 256-bit random strings. Only a SHA-256 hash is stored: with that much entropy a
 * slow hash adds nothing, and the hash is the look-up key. Tokens form families (one per sign-in); each use
 * rotates to a new member, and presenting a used member again revokes the whole family (stolen-token defence).
 */
export function refreshTokens(grants: GrantStore, clock: Clock) {
  const iso = (ms: number) => new Date(ms).toISOString();

  async function issue(binding: RefreshBinding, familyId: string = newGuid()): Promise<string> {
    const token = `1.${newSecret(32)}`;
    await grants.insertRefreshToken({
      tokenHash: hashToken(token),
      familyId,
      tenantId: binding.tenantId,
      userId: binding.userId,
      clientId: binding.clientId.toLowerCase(),
      authMethods: binding.authMethods,
      createdAt: iso(clock.now()),
      expiresAt: iso(clock.now() + REFRESH_TOKEN_LIFETIME_SECONDS * 1000),
      usedAt: null,
      revokedAt: null,
    });
    return token;
  }

  /** Spends a refresh token presented by `clientId`; returns what it was bound to, or throws `invalid_grant`. */
  async function redeem(token: string, clientId: string, tenantId: string): Promise<RefreshTokenRecord> {
    const record = await grants.getRefreshToken(hashToken(token));
    if (!record || record.tenantId !== tenantId) throw oauthError("refreshTokenInvalid");
    if (record.clientId !== clientId.toLowerCase()) throw oauthError("refreshTokenWrongClient", clientId);
    if (record.revokedAt !== null || (await grants.isRefreshFamilyRevoked(record.familyId))) throw oauthError("refreshTokenRevoked");
    if (Date.parse(record.expiresAt) <= clock.now()) throw oauthError("refreshTokenExpired", record.expiresAt);
    if (record.usedAt !== null || !(await grants.markRefreshTokenUsed(record.tokenHash, iso(clock.now())))) {
      await grants.revokeRefreshFamily(record.familyId, iso(clock.now()));
      throw oauthError("refreshTokenRevoked");
    }
    return record;
  }

  return { issue, redeem, revokeUser: (userId: string) => grants.revokeRefreshTokensOfUser(userId, iso(clock.now())) };
}

function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}
