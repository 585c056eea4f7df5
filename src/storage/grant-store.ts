import { type Kysely, type Selectable, sql } from "kysely";
import type { Tables } from "./tables.ts";

/** A refresh token as stored: only the hash of the token, its family and what it is bound to. */
export interface RefreshTokenRecord {
  tokenHash: string;
  familyId: string;
  tenantId: string;
  userId: string;
  clientId: string;
  authMethods: string[];
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
  revokedAt: string | null;
}

export interface DeviceCodeRecord {
  deviceCodeHash: string;
  userCode: string;
  tenantId: string;
  clientId: string;
  scope: string;
  status: "pending" | "approved" | "denied" | "redeemed";
  userId: string | null;
  createdAt: string;
  expiresAt: string;
}

export interface AuthorizationCodeRecord {
  codeHash: string;
  tenantId: string;
  clientId: string;
  userId: string;
  redirectUri: string;
  scope: string;
  codeChallenge: string | null;
  codeChallengeMethod: string | null;
  nonce: string | null;
  expiresAt: string;
  usedAt: string | null;
}

/**
 * Ends every refresh-token family of a user (Entra does so when the password changes), and the grants the old
 * password may still turn into a new family: device codes approved but not yet redeemed (declined) and
 * authorization codes not yet redeemed (spent). `db` may be the transaction that changes the password, so the old
 * sessions cannot outlive the old password by a moment.
 */
export async function revokeRefreshTokensOfUser(db: Kysely<Tables>, userId: string, at: string): Promise<void> {
  await db.updateTable("refresh_tokens").set({ revoked_at: at }).where("user_id", "=", userId).where("revoked_at", "is", null).execute();
  await db.updateTable("device_codes").set({ status: "denied" }).where("user_id", "=", userId).where("status", "=", "approved").execute();
  await db.updateTable("authorization_codes").set({ used_at: at }).where("user_id", "=", userId).where("used_at", "is", null).execute();
}

/** Grants in flight: refresh-token families, device codes, spent assertion ids and sign-in failure counters. */
export function grantStore(db: Kysely<Tables>) {
  return {
    async insertRefreshToken(r: RefreshTokenRecord): Promise<void> {
      await db
        .insertInto("refresh_tokens")
        .values({
          token_hash: r.tokenHash,
          family_id: r.familyId,
          tenant_id: r.tenantId,
          user_id: r.userId,
          client_id: r.clientId,
          auth_methods: JSON.stringify(r.authMethods),
          created_at: r.createdAt,
          expires_at: r.expiresAt,
          used_at: r.usedAt,
          revoked_at: r.revokedAt,
        })
        .execute();
    },
    async getRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | undefined> {
      const row = await db.selectFrom("refresh_tokens").selectAll().where("token_hash", "=", tokenHash).executeTakeFirst();
      return row && toRefreshToken(row);
    },
    /** Marks a token used; false when another request used it first (the caller treats that as reuse). */
    async markRefreshTokenUsed(tokenHash: string, at: string): Promise<boolean> {
      const result = await db
        .updateTable("refresh_tokens")
        .set({ used_at: at })
        .where("token_hash", "=", tokenHash)
        .where("used_at", "is", null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async revokeRefreshFamily(familyId: string, at: string): Promise<void> {
      await db
        .updateTable("refresh_tokens")
        .set({ revoked_at: at })
        .where("family_id", "=", familyId)
        .where("revoked_at", "is", null)
        .execute();
    },
    /** Whether any member of the family was revoked (a family, once revoked, stays dead, even for members issued later). */
    async isRefreshFamilyRevoked(familyId: string): Promise<boolean> {
      const row = await db
        .selectFrom("refresh_tokens")
        .select("token_hash")
        .where("family_id", "=", familyId)
        .where("revoked_at", "is not", null)
        .executeTakeFirst();
      return row !== undefined;
    },
    revokeRefreshTokensOfUser: (userId: string, at: string) => revokeRefreshTokensOfUser(db, userId, at),

    async insertDeviceCode(d: DeviceCodeRecord): Promise<void> {
      await db
        .insertInto("device_codes")
        .values({
          device_code_hash: d.deviceCodeHash,
          user_code: d.userCode,
          tenant_id: d.tenantId,
          client_id: d.clientId,
          scope: d.scope,
          status: d.status,
          user_id: d.userId,
          created_at: d.createdAt,
          expires_at: d.expiresAt,
        })
        .execute();
    },
    async getDeviceCode(deviceCodeHash: string): Promise<DeviceCodeRecord | undefined> {
      const row = await db.selectFrom("device_codes").selectAll().where("device_code_hash", "=", deviceCodeHash).executeTakeFirst();
      return row && toDeviceCode(row);
    },
    async findDeviceCodeByUserCode(userCode: string): Promise<DeviceCodeRecord | undefined> {
      const row = await db.selectFrom("device_codes").selectAll().where("user_code", "=", userCode).executeTakeFirst();
      return row && toDeviceCode(row);
    },
    /** Moves a device code from one status to the next; false when it was not in `from` any more. */
    async transitionDeviceCode(
      deviceCodeHash: string,
      from: DeviceCodeRecord["status"],
      to: DeviceCodeRecord["status"],
      userId?: string,
    ): Promise<boolean> {
      const result = await db
        .updateTable("device_codes")
        .set({ status: to, ...(userId ? { user_id: userId } : {}) })
        .where("device_code_hash", "=", deviceCodeHash)
        .where("status", "=", from)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async insertAuthorizationCode(c: AuthorizationCodeRecord): Promise<void> {
      await db
        .insertInto("authorization_codes")
        .values({
          code_hash: c.codeHash,
          tenant_id: c.tenantId,
          client_id: c.clientId,
          user_id: c.userId,
          redirect_uri: c.redirectUri,
          scope: c.scope,
          code_challenge: c.codeChallenge,
          code_challenge_method: c.codeChallengeMethod,
          nonce: c.nonce,
          expires_at: c.expiresAt,
          used_at: c.usedAt,
        })
        .execute();
    },
    /** Spends a code: returns it only for the first caller (a code is single-use). */
    async spendAuthorizationCode(codeHash: string, at: string): Promise<AuthorizationCodeRecord | undefined> {
      const result = await db
        .updateTable("authorization_codes")
        .set({ used_at: at })
        .where("code_hash", "=", codeHash)
        .where("used_at", "is", null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return undefined;
      const r = await db.selectFrom("authorization_codes").selectAll().where("code_hash", "=", codeHash).executeTakeFirstOrThrow();
      return {
        codeHash: r.code_hash,
        tenantId: r.tenant_id,
        clientId: r.client_id,
        userId: r.user_id,
        redirectUri: r.redirect_uri,
        scope: r.scope,
        codeChallenge: r.code_challenge,
        codeChallengeMethod: r.code_challenge_method,
        nonce: r.nonce,
        expiresAt: r.expires_at,
        usedAt: r.used_at,
      };
    },

    /** Records an assertion id; false when it was already spent (a replay). Expired entries are swept first. */
    async spendAssertion(jtiKey: string, expiresAt: string, now: string): Promise<boolean> {
      await db.deleteFrom("spent_assertions").where("expires_at", "<", now).execute();
      const inserted = await db
        .insertInto("spent_assertions")
        .values({ jti_key: jtiKey, expires_at: expiresAt })
        .onConflict((oc) => oc.column("jti_key").doNothing())
        .returning("jti_key")
        .executeTakeFirst();
      return inserted !== undefined;
    },

    /**
     * Counts one sign-in attempt for `key` in a single statement, so parallel attempts each see their own number.
     * A count whose window began before `windowFloor`, or whose lock has ended, starts again at 1; a locked key is
     * left as it is.
     */
    async countSignInAttempt(key: string, now: string, windowFloor: string): Promise<{ attempts: number; lockedUntil: string | null }> {
      const locked = sql`(sign_in_failures.locked_until is not null and sign_in_failures.locked_until > ${now})`;
      const fresh = sql`(sign_in_failures.locked_until is not null or sign_in_failures.window_start < ${windowFloor})`;
      const row = await db
        .insertInto("sign_in_failures")
        .values({ throttle_key: key, failures: 1, window_start: now, locked_until: null })
        .onConflict((oc) =>
          oc.column("throttle_key").doUpdateSet({
            failures: sql`case when ${locked} then sign_in_failures.failures when ${fresh} then 1 else sign_in_failures.failures + 1 end`,
            window_start: sql`case when ${locked} then sign_in_failures.window_start when ${fresh} then ${now} else sign_in_failures.window_start end`,
            locked_until: sql`case when ${locked} then sign_in_failures.locked_until else null end`,
          }),
        )
        .returning(["failures", "locked_until"])
        .executeTakeFirstOrThrow();
      return { attempts: row.failures, lockedUntil: row.locked_until };
    },
    async lockSignIn(key: string, until: string): Promise<void> {
      await db.updateTable("sign_in_failures").set({ locked_until: until }).where("throttle_key", "=", key).execute();
    },
    /** Gives back one counted attempt (a successful sign-in does not count against its source). */
    async refundSignInAttempt(key: string): Promise<void> {
      await db
        .updateTable("sign_in_failures")
        .set({ failures: sql`failures - 1` })
        .where("throttle_key", "=", key)
        .where("failures", ">", 0)
        .execute();
    },
    async clearSignInFailures(key: string): Promise<void> {
      await db.deleteFrom("sign_in_failures").where("throttle_key", "=", key).execute();
    },
  };
}

export type GrantStore = ReturnType<typeof grantStore>;

function toRefreshToken(row: Selectable<Tables["refresh_tokens"]>): RefreshTokenRecord {
  return {
    tokenHash: row.token_hash,
    familyId: row.family_id,
    tenantId: row.tenant_id,
    userId: row.user_id,
    clientId: row.client_id,
    authMethods: JSON.parse(row.auth_methods) as string[],
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    usedAt: row.used_at,
    revokedAt: row.revoked_at,
  };
}

function toDeviceCode(row: Selectable<Tables["device_codes"]>): DeviceCodeRecord {
  return {
    deviceCodeHash: row.device_code_hash,
    userCode: row.user_code,
    tenantId: row.tenant_id,
    clientId: row.client_id,
    scope: row.scope,
    status: row.status as DeviceCodeRecord["status"],
    userId: row.user_id,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}
