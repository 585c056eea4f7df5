import type { Kysely } from "kysely";

/** The OpenTelemetry trace id of a call, when tracing is on (`otlpEndpoint`), so a record leads to its spans. */
// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("call_log").addColumn("trace_id", "text").execute();
}
