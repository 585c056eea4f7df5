import { type Kysely, sql } from "kysely";

/**
 * Indexes for lists served a page at a time in SQL (storage/directory-lists.ts): users and groups of a tenant in
 * creation order with displayName filters, a group's members in the order they were added, and a tenant's role
 * assignments in creation order.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex("users_tenant_created").on("users").columns(["tenant_id", "created_at", "id"]).execute();
  await sql`create index users_tenant_display_key on users (tenant_id, lower(display_name))`.execute(db);
  await db.schema.createIndex("groups_tenant_created").on("groups").columns(["tenant_id", "created_at", "id"]).execute();
  await sql`create index groups_tenant_display_key on groups (tenant_id, lower(display_name))`.execute(db);
  await db.schema.createIndex("group_members_added").on("group_members").columns(["group_id", "added_at", "member_id"]).execute();
  await db.schema
    .createIndex("role_assignments_tenant_created")
    .on("role_assignments")
    .columns(["tenant_id", "created_on", "id"])
    .execute();
}
