import type { Kysely } from "kysely";

/** The prompt a call sent, kept only when the operator sets `recordPromptText`; null otherwise (the default). */
// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("call_log").addColumn("prompt_text", "text").execute();
}
