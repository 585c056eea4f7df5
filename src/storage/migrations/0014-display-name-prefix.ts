import { type Kysely, sql } from "kysely";
import type { Dialect } from "../dialect.ts";

/**
 * `startswith(displayName,'…')` on users and groups is served as a range on the lowered name in code-point order
 * (storage/directory-lists.ts). SQLite compares text that way already, so 0013's `(tenant_id, lower(display_name))`
 * index serves it; PostgreSQL orders that index by the database's (linguistic) collation, where a prefix is no
 * range, so it gets the same key under the "C" collation. Without it the filter walked a tenant's rows.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  if (dialect !== "postgres") return;
  await sql`create index users_tenant_display_prefix on users (tenant_id, (lower(display_name) collate "C"))`.execute(db);
  await sql`create index groups_tenant_display_prefix on groups (tenant_id, (lower(display_name) collate "C"))`.execute(db);
}
