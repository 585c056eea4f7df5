import type { Kysely } from "kysely";
import { scopeRelation } from "../core/scope.ts";
import type { ResourceRecord } from "./records.ts";
import { resourceRow, resourceRecord } from "./resource-store.ts";
import type { Tables } from "./tables.ts";
import { conflictOnDuplicate } from "./unique-violation.ts";

export interface AccountKeyRecord {
  accountKey: string;
  keyName: "key1" | "key2";
  sealedKey: string;
  digest: string;
  createdAt: string;
}
export interface ArmOperationRecord {
  id: string;
  subscriptionId: string;
  status: string;
  resourceId: string;
  startedAt: string;
  endedAt: string | null;
}

/** ARM state beyond the generic resource rows: account keys, long-running operations, whole-tree writes. */
export function armStore(db: Kysely<Tables>) {
  return {
    async listResourcesOfSubscription(subscriptionId: string): Promise<ResourceRecord[]> {
      const rows = await db
        .selectFrom("resources")
        .selectAll()
        .where("subscription_id", "=", subscriptionId.toLowerCase())
        .orderBy("id_key")
        .execute();
      return rows.map(resourceRecord);
    },
    /**
     * Inserts a resource, its keys and the global names it claims in one transaction: an account is never visible
     * without its keys, and two nodes cannot both claim one name (ConflictError).
     */
    async insertResourceWithKeys(
      r: ResourceRecord,
      keys: readonly AccountKeyRecord[],
      claimedNames: readonly string[] = [],
    ): Promise<void> {
      await conflictOnDuplicate(
        () =>
          db.transaction().execute(async (tx) => {
            await tx.insertInto("resources").values(resourceRow(r)).execute();
            for (const name of new Set(claimedNames.map((n) => n.toLowerCase()))) {
              await tx.insertInto("account_names").values({ name_key: name, account_key: r.id.toLowerCase() }).execute();
            }
            for (const k of keys) await tx.insertInto("account_keys").values(keyRow(k)).execute();
          }),
        `Resource '${r.id}' already exists.`,
      );
    },
    /** Deletes a resource and everything below it (children, account keys) in one transaction; returns the ids deleted. */
    async deleteResourceTree(id: string): Promise<string[]> {
      return db.transaction().execute(async (tx) => {
        const rows = await tx.selectFrom("resources").select(["id_key", "id"]).execute();
        const doomed = rows.filter((r) => {
          const where = scopeRelation(r.id_key, id);
          return where === "at" || where === "below";
        });
        for (const r of doomed) {
          await tx.deleteFrom("account_keys").where("account_key", "=", r.id_key).execute();
          await tx.deleteFrom("account_names").where("account_key", "=", r.id_key).execute();
          await tx.deleteFrom("resources").where("id_key", "=", r.id_key).execute();
        }
        return doomed.map((r) => r.id);
      });
    },
    async renameSubscription(id: string, displayName: string): Promise<void> {
      await db.updateTable("subscriptions").set({ display_name: displayName }).where("id", "=", id.toLowerCase()).execute();
    },
    async listAccountKeys(accountId: string): Promise<AccountKeyRecord[]> {
      const rows = await db
        .selectFrom("account_keys")
        .selectAll()
        .where("account_key", "=", accountId.toLowerCase())
        .orderBy("key_name")
        .execute();
      return rows.map((r) => ({
        accountKey: r.account_key,
        keyName: r.key_name as "key1" | "key2",
        sealedKey: r.sealed_key,
        digest: r.digest,
        createdAt: r.created_at,
      }));
    },
    async replaceAccountKey(k: AccountKeyRecord): Promise<void> {
      await db.transaction().execute(async (tx) => {
        await tx.deleteFrom("account_keys").where("account_key", "=", k.accountKey).where("key_name", "=", k.keyName).execute();
        await tx.insertInto("account_keys").values(keyRow(k)).execute();
      });
    },
    async accountKeyExists(accountId: string, digest: string): Promise<boolean> {
      const row = await db
        .selectFrom("account_keys")
        .select("key_name")
        .where("account_key", "=", accountId.toLowerCase())
        .where("digest", "=", digest)
        .executeTakeFirst();
      return row !== undefined;
    },
    async insertOperation(op: ArmOperationRecord): Promise<void> {
      await db
        .insertInto("arm_operations")
        .values({
          id: op.id,
          subscription_id: op.subscriptionId.toLowerCase(),
          status: op.status,
          resource_id: op.resourceId,
          started_at: op.startedAt,
          ended_at: op.endedAt,
        })
        .execute();
    },
    async getOperation(id: string): Promise<ArmOperationRecord | undefined> {
      const r = await db.selectFrom("arm_operations").selectAll().where("id", "=", id.toLowerCase()).executeTakeFirst();
      return (
        r && {
          id: r.id,
          subscriptionId: r.subscription_id,
          status: r.status,
          resourceId: r.resource_id,
          startedAt: r.started_at,
          endedAt: r.ended_at,
        }
      );
    },
  };
}

export type ArmStore = ReturnType<typeof armStore>;

function keyRow(k: AccountKeyRecord): Tables["account_keys"] {
  return {
    account_key: k.accountKey.toLowerCase(),
    key_name: k.keyName,
    sealed_key: k.sealedKey,
    digest: k.digest,
    created_at: k.createdAt,
  };
}
