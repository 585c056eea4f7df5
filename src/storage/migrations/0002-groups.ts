import type { Kysely } from "kysely";
import type { Dialect } from "../dialect.ts";

/**
 * Security groups with direct member and owner edges (users, groups, service principals), and the user
 * properties Graph exposes. Only direct edges are stored: the directory derives transitive membership from them,
 * so no derived table can drift from the edges after a change.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable("users").addColumn("mail_nickname", "text").execute();
  await db.schema
    .createTable("groups")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
    .addColumn("display_name", "text", (c) => c.notNull())
    .addColumn("mail_nickname", "text", (c) => c.notNull())
    .addColumn("description", "text")
    .addColumn("security_enabled", "integer", (c) => c.notNull())
    .addColumn("mail_enabled", "integer", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("groups_display_name").on("groups").columns(["tenant_id", "display_name"]).execute();
  await db.schema
    .createTable("group_members")
    .addColumn("group_id", "text", (c) => c.notNull().references("groups.id"))
    .addColumn("member_id", "text", (c) => c.notNull())
    .addColumn("member_type", "text", (c) => c.notNull())
    .addColumn("added_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("group_members_pk", ["group_id", "member_id"])
    .execute();
  await db.schema.createIndex("group_members_member").on("group_members").column("member_id").execute();
  await db.schema
    .createTable("group_owners")
    .addColumn("group_id", "text", (c) => c.notNull().references("groups.id"))
    .addColumn("owner_id", "text", (c) => c.notNull())
    .addColumn("owner_type", "text", (c) => c.notNull())
    .addColumn("added_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("group_owners_pk", ["group_id", "owner_id"])
    .execute();
  await db.schema.createIndex("group_owners_owner").on("group_owners").column("owner_id").execute();
}
