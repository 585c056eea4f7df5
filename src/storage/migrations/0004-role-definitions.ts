import type { Kysely } from "kysely";
import type { Dialect } from "../dialect.ts";

/**
 * Custom role definitions (role names unique per tenant, compared case-insensitively through `role_name_key`)
 * and deny assignments. Permission blocks and scope lists are JSON text: they are always read whole.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable("role_definitions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
    .addColumn("role_name", "text", (c) => c.notNull())
    .addColumn("role_name_key", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull())
    .addColumn("assignable_scopes", "text", (c) => c.notNull())
    .addColumn("permissions", "text", (c) => c.notNull())
    .addColumn("created_on", "text", (c) => c.notNull())
    .addColumn("created_by", "text")
    .addColumn("updated_on", "text", (c) => c.notNull())
    .addColumn("updated_by", "text")
    .addUniqueConstraint("role_definitions_tenant_name", ["tenant_id", "role_name_key"])
    .execute();
  await db.schema
    .createTable("deny_assignments")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
    .addColumn("deny_assignment_name", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull())
    .addColumn("scope", "text", (c) => c.notNull())
    .addColumn("scope_key", "text", (c) => c.notNull())
    .addColumn("permissions", "text", (c) => c.notNull())
    .addColumn("principals", "text", (c) => c.notNull())
    .addColumn("exclude_principals", "text", (c) => c.notNull())
    .addColumn("do_not_apply_to_child_scopes", "integer", (c) => c.notNull())
    .addColumn("created_on", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("deny_assignments_scope").on("deny_assignments").column("scope_key").execute();
  await db.schema.createIndex("role_assignments_role").on("role_assignments").column("role_definition_id").execute();
}
