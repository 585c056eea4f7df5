import type { Kysely } from "kysely";
import type { Dialect } from "../dialect.ts";

/**
 * ARM template deployments (`Microsoft.Resources/deployments`) at resource-group and subscription scope, their
 * deployment operations (one per resource the executor wrote or tried), and the finished what-if results a client
 * polls through the `Location` of `POST …/whatIf`. Secure parameter values are never stored.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable("template_deployments")
    .addColumn("id_key", "text", (c) => c.primaryKey())
    .addColumn("id", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("subscription_id", "text", (c) => c.notNull())
    .addColumn("resource_group", "text")
    .addColumn("location", "text")
    .addColumn("tags", "text", (c) => c.notNull())
    .addColumn("run_id", "text", (c) => c.notNull())
    .addColumn("provisioning_state", "text", (c) => c.notNull())
    .addColumn("mode", "text", (c) => c.notNull())
    .addColumn("template", "text", (c) => c.notNull())
    .addColumn("template_hash", "text", (c) => c.notNull())
    .addColumn("parameters", "text", (c) => c.notNull())
    .addColumn("outputs", "text")
    .addColumn("output_resources", "text", (c) => c.notNull())
    .addColumn("dependencies", "text", (c) => c.notNull())
    .addColumn("error", "text")
    .addColumn("correlation_id", "text", (c) => c.notNull())
    .addColumn("created_by", "text", (c) => c.notNull())
    .addColumn("started_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addColumn("ended_at", "text")
    .execute();
  await db.schema
    .createIndex("template_deployments_subscription")
    .on("template_deployments")
    .columns(["subscription_id", "resource_group"])
    .execute();
  await db.schema
    .createTable("template_deployment_operations")
    .addColumn("deployment_key", "text", (c) => c.notNull())
    .addColumn("operation_id", "text", (c) => c.notNull())
    .addColumn("seq", "integer", (c) => c.notNull())
    .addColumn("provisioning_operation", "text", (c) => c.notNull())
    .addColumn("provisioning_state", "text", (c) => c.notNull())
    .addColumn("target_id", "text", (c) => c.notNull())
    .addColumn("target_type", "text", (c) => c.notNull())
    .addColumn("target_name", "text", (c) => c.notNull())
    .addColumn("api_version", "text", (c) => c.notNull())
    .addColumn("status_code", "text")
    .addColumn("status_message", "text")
    .addColumn("started_at", "text", (c) => c.notNull())
    .addColumn("ended_at", "text")
    .addPrimaryKeyConstraint("template_deployment_operations_pk", ["deployment_key", "operation_id"])
    .execute();
  await db.schema
    .createTable("template_deployment_results")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("subscription_id", "text", (c) => c.notNull())
    .addColumn("principal_id", "text", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
}
