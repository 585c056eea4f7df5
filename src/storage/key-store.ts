import type { Kysely } from "kysely";
import type { SigningKeyRecord } from "./records.ts";
import type { Tables } from "./tables.ts";

/** Token signing keys (private halves sealed by the caller) and small named facts such as the bootstrap ids. */
export function keyStore(db: Kysely<Tables>) {
  return {
    async insertSigningKey(k: SigningKeyRecord): Promise<void> {
      await db
        .insertInto("signing_keys")
        .values({
          kid: k.kid,
          sealed_private_jwk: k.sealedPrivateJwk,
          public_jwk: k.publicJwk,
          created_at: k.createdAt,
          retired_at: k.retiredAt,
        })
        .execute();
    },
    async listSigningKeys(): Promise<SigningKeyRecord[]> {
      const rows = await db.selectFrom("signing_keys").selectAll().orderBy("created_at").execute();
      return rows.map((r) => ({
        kid: r.kid,
        sealedPrivateJwk: r.sealed_private_jwk,
        publicJwk: r.public_jwk,
        createdAt: r.created_at,
        retiredAt: r.retired_at,
      }));
    },
    async retireSigningKey(kid: string, at: string): Promise<void> {
      await db.updateTable("signing_keys").set({ retired_at: at }).where("kid", "=", kid).where("retired_at", "is", null).execute();
    },
    async getMeta(key: string): Promise<string | undefined> {
      const row = await db.selectFrom("meta").select("value").where("key", "=", key).executeTakeFirst();
      return row?.value;
    },
    /** Sets a fact only if it is not set yet; returns the value that is stored afterwards (first writer wins). */
    async putMetaOnce(key: string, value: string): Promise<string> {
      await db
        .insertInto("meta")
        .values({ key, value })
        .onConflict((oc) => oc.column("key").doNothing())
        .execute();
      const row = await db.selectFrom("meta").select("value").where("key", "=", key).executeTakeFirstOrThrow();
      return row.value;
    },
  };
}

export type KeyStore = ReturnType<typeof keyStore>;
