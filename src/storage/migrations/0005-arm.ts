import type { Kysely } from "kysely";
import type { Dialect } from "../dialect.ts";

/** ARM control plane: account keys (sealed, found by HMAC digest), claimed account names, finished long-running operations, the activity log. */
// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable("account_keys")
    .addColumn("account_key", "text", (c) => c.notNull())
    .addColumn("key_name", "text", (c) => c.notNull())
    .addColumn("sealed_key", "text", (c) => c.notNull())
    .addColumn("digest", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("account_keys_pk", ["account_key", "key_name"])
    .execute();
  // Account names and subdomains are global (the data plane finds an account by name): one row per name claims it.
  await db.schema
    .createTable("account_names")
    .addColumn("name_key", "text", (c) => c.primaryKey())
    .addColumn("account_key", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("account_keys_digest").on("account_keys").column("digest").execute();
  await db.schema
    .createTable("arm_operations")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("subscription_id", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("resource_id", "text", (c) => c.notNull())
    .addColumn("started_at", "text", (c) => c.notNull())
    .addColumn("ended_at", "text")
    .execute();
  await db.schema
    .createTable("activity_log")
    .addColumn("event_id", "text", (c) => c.primaryKey())
    .addColumn("subscription_id", "text", (c) => c.notNull())
    .addColumn("event_timestamp", "text", (c) => c.notNull())
    .addColumn("caller", "text", (c) => c.notNull())
    .addColumn("principal_id", "text")
    .addColumn("operation_name", "text", (c) => c.notNull())
    .addColumn("http_method", "text", (c) => c.notNull())
    .addColumn("resource_id", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("status_code", "integer", (c) => c.notNull())
    .addColumn("correlation_id", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("activity_log_time").on("activity_log").columns(["subscription_id", "event_timestamp"]).execute();
}
