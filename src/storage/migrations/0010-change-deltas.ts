import type { Kysely } from "kysely";

/**
 * What each change row changed (a JSON delta, `storage/change-feed.ts`), so nodes apply it instead of reloading
 * the whole policy. Rows written before this migration have none and read as a full reload.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("changes").addColumn("delta", "text").execute();
}
