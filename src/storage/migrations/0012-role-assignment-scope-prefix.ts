import type { Kysely } from "kysely";
import { sql } from "kysely";
import type { Dialect } from "../dialect.ts";

/**
 * Counting a subscription's role assignments (Azure's per-subscription limit, on every create) matches
 * `scope_key LIKE '/subscriptions/{id}/%'`; PostgreSQL uses a B-tree for a prefix LIKE only with the pattern
 * operator class, so without this index every create read every assignment (54 ms at 100k). SQLite is left as is.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  if (dialect !== "postgres") return;
  await sql`create index role_assignments_scope_prefix on role_assignments (scope_key text_pattern_ops)`.execute(db);
}
