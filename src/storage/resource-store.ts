import type { Kysely, Selectable } from "kysely";
import type { ResourceRecord, SubscriptionRecord } from "./records.ts";
import type { Tables } from "./tables.ts";
import { conflictOnDuplicate } from "./unique-violation.ts";

/** Subscriptions and the generic ARM resource table (resource groups, accounts, deployments, …). */
export function resourceStore(db: Kysely<Tables>) {
  return {
    async insertSubscription(s: SubscriptionRecord): Promise<void> {
      await conflictOnDuplicate(
        () =>
          db
            .insertInto("subscriptions")
            .values({ id: s.id, tenant_id: s.tenantId, display_name: s.displayName, state: s.state, created_at: s.createdAt })
            .execute(),
        `Subscription '${s.id}' already exists.`,
      );
    },
    async getSubscription(id: string): Promise<SubscriptionRecord | undefined> {
      const row = await db.selectFrom("subscriptions").selectAll().where("id", "=", id.toLowerCase()).executeTakeFirst();
      return row && { id: row.id, tenantId: row.tenant_id, displayName: row.display_name, state: row.state, createdAt: row.created_at };
    },
    async listSubscriptions(tenantId: string): Promise<SubscriptionRecord[]> {
      const rows = await db.selectFrom("subscriptions").selectAll().where("tenant_id", "=", tenantId).orderBy("created_at").execute();
      return rows.map((row) => ({
        id: row.id,
        tenantId: row.tenant_id,
        displayName: row.display_name,
        state: row.state,
        createdAt: row.created_at,
      }));
    },

    /** Creates or replaces a resource, keyed by its case-insensitive id. */
    async upsertResource(r: ResourceRecord): Promise<void> {
      const values = resourceRow(r);
      await db
        .insertInto("resources")
        .values(values)
        .onConflict((oc) =>
          oc.column("id_key").doUpdateSet({
            location: values.location,
            kind: values.kind,
            sku: values.sku,
            tags: values.tags,
            properties: values.properties,
            updated_at: values.updated_at,
          }),
        )
        .execute();
    },
    /** Deletes leaf resources (no children, no keys) by id; ids that do not exist are skipped. */
    async deleteResources(ids: readonly string[]): Promise<void> {
      if (ids.length === 0) return;
      await db
        .deleteFrom("resources")
        .where(
          "id_key",
          "in",
          ids.map((id) => id.toLowerCase()),
        )
        .execute();
    },
    async getResource(id: string): Promise<ResourceRecord | undefined> {
      const row = await db.selectFrom("resources").selectAll().where("id_key", "=", id.toLowerCase()).executeTakeFirst();
      return row && resourceRecord(row);
    },
    /** Resources of one type whose name matches, case-insensitively (account names are globally unique per type). */
    async findResourcesByName(type: string, name: string): Promise<ResourceRecord[]> {
      const rows = await db.selectFrom("resources").selectAll().where("type", "=", type).execute();
      return rows.filter((row) => row.name.toLowerCase() === name.toLowerCase()).map(resourceRecord);
    },
    async listResourcesOfType(type: string): Promise<ResourceRecord[]> {
      const rows = await db.selectFrom("resources").selectAll().where("type", "=", type).orderBy("id_key").execute();
      return rows.map(resourceRecord);
    },
    async listChildren(parentId: string): Promise<ResourceRecord[]> {
      const rows = await db.selectFrom("resources").selectAll().where("parent_key", "=", parentId.toLowerCase()).orderBy("name").execute();
      return rows.map(resourceRecord);
    },
  };
}

export type ResourceStore = ReturnType<typeof resourceStore>;

export function resourceRow(r: ResourceRecord): Tables["resources"] {
  return {
    id_key: r.id.toLowerCase(),
    id: r.id,
    type: r.type,
    name: r.name,
    subscription_id: r.subscriptionId.toLowerCase(),
    resource_group: r.resourceGroup,
    parent_key: r.parentKey,
    location: r.location,
    kind: r.kind,
    sku: r.sku === null ? null : JSON.stringify(r.sku),
    tags: JSON.stringify(r.tags),
    properties: JSON.stringify(r.properties),
    created_at: r.createdAt,
    created_by: r.createdBy,
    updated_at: r.updatedAt,
  };
}

export function resourceRecord(row: Selectable<Tables["resources"]>): ResourceRecord {
  return {
    id: row.id,
    type: row.type,
    name: row.name,
    subscriptionId: row.subscription_id,
    resourceGroup: row.resource_group,
    parentKey: row.parent_key,
    location: row.location,
    kind: row.kind,
    sku: row.sku === null ? null : JSON.parse(row.sku),
    tags: JSON.parse(row.tags),
    properties: JSON.parse(row.properties),
    createdAt: row.created_at,
    createdBy: row.created_by,
    updatedAt: row.updated_at,
  };
}
