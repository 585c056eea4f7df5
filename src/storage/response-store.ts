import type { Kysely } from "kysely";
import type { StoredResponseRecord } from "./records.ts";
import type { Tables } from "./tables.ts";

/** Responses API responses, read only by the principal and account that stored them, until they expire. */
export function responseStore(db: Kysely<Tables>) {
  return {
    /** Several responses in one statement (one commit: the caller groups concurrent saves). */
    async saveMany(rows: readonly StoredResponseRecord[]): Promise<void> {
      if (rows.length === 0) return;
      await db
        .insertInto("responses")
        .values(
          rows.map((r) => ({
            id: r.id,
            account_id: r.accountId,
            principal_id: r.principalId,
            created_at: r.createdAt,
            expires_at: r.expiresAt,
            response_json: r.responseJson,
            input_items_json: r.inputItemsJson,
            conversation_json: r.conversationJson,
          })),
        )
        .execute();
    },
    async find(accountId: string, principalId: string, id: string, now: string): Promise<StoredResponseRecord | undefined> {
      const row = await db
        .selectFrom("responses")
        .selectAll()
        .where("id", "=", id)
        .where("account_id", "=", accountId)
        .where("principal_id", "=", principalId)
        .where("expires_at", ">", now)
        .executeTakeFirst();
      return (
        row && {
          id: row.id,
          accountId: row.account_id,
          principalId: row.principal_id,
          createdAt: row.created_at,
          expiresAt: row.expires_at,
          responseJson: row.response_json,
          inputItemsJson: row.input_items_json,
          conversationJson: row.conversation_json,
        }
      );
    },
    async delete(accountId: string, principalId: string, id: string): Promise<boolean> {
      const result = await db
        .deleteFrom("responses")
        .where("id", "=", id)
        .where("account_id", "=", accountId)
        .where("principal_id", "=", principalId)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async deleteExpired(now: string): Promise<number> {
      const result = await db.deleteFrom("responses").where("expires_at", "<=", now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
