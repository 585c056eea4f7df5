import type { Kysely } from "kysely";

/** One row per data-plane call: who, what, the decision, the outcome and the counts; never prompt text. */
// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("call_log")
    .addColumn("request_id", "text", (c) => c.notNull())
    .addColumn("at", "text", (c) => c.notNull())
    .addColumn("principal_id", "text", (c) => c.notNull())
    .addColumn("via", "text", (c) => c.notNull())
    .addColumn("account", "text", (c) => c.notNull())
    .addColumn("deployment", "text")
    .addColumn("operation", "text", (c) => c.notNull())
    .addColumn("decision", "text", (c) => c.notNull())
    .addColumn("assignment_id", "text")
    .addColumn("status", "integer", (c) => c.notNull())
    .addColumn("prompt_tokens", "integer", (c) => c.notNull())
    .addColumn("completion_tokens", "integer", (c) => c.notNull())
    .addColumn("latency_ms", "integer", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("call_log_at").on("call_log").columns(["at"]).execute();
  await db.schema.createIndex("call_log_principal").on("call_log").columns(["principal_id", "at"]).execute();
}
