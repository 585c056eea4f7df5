import type { Kysely } from "kysely";

/**
 * Responses API responses (`store: true`): the response object, the input items of its own request and the
 * conversation a `previous_response_id` follow-up continues, as JSON text; one principal's, until `expires_at`.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("responses")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("account_id", "text", (c) => c.notNull())
    .addColumn("principal_id", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("expires_at", "text", (c) => c.notNull())
    .addColumn("response_json", "text", (c) => c.notNull())
    .addColumn("input_items_json", "text", (c) => c.notNull())
    .addColumn("conversation_json", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("responses_expires_at").on("responses").columns(["expires_at"]).execute();
}
