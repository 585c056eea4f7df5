import type { Kysely, Selectable } from "kysely";
import { changeTransaction, recordChange } from "./change-feed.ts";
import type { DenyAssignmentRecord, RoleDefinitionRecord } from "./records.ts";
import type { Tables } from "./tables.ts";
import { conflictOnDuplicate } from "./unique-violation.ts";

/**
 * Custom role definitions and deny assignments. Every write records a `changes` row in the same transaction,
 * so every node's live policy reloads them.
 */
export function roleDefinitionStore(db: Kysely<Tables>) {
  return {
    /**
     * Inserts or replaces (same id) a custom role; a role name already used by another role is a ConflictError.
     * With `maxPerTenant`, a new role is inserted only while its tenant holds fewer, counted after the transaction
     * took the change feed's turn (as role assignments' limit): two nodes creating the last allowed role at once
     * cannot both succeed. Returns false, writing nothing, when the limit refused it.
     */
    async saveRoleDefinition(r: RoleDefinitionRecord, options: { maxPerTenant?: number } = {}): Promise<boolean> {
      return conflictOnDuplicate(
        () =>
          changeTransaction(db, async (tx) => {
            const replaced = await tx.deleteFrom("role_definitions").where("id", "=", r.id.toLowerCase()).executeTakeFirst();
            if (options.maxPerTenant !== undefined && Number(replaced.numDeletedRows) === 0) {
              const held = await tx
                .selectFrom("role_definitions")
                .select((eb) => eb.fn.countAll().as("n"))
                .where("tenant_id", "=", r.tenantId)
                .executeTakeFirstOrThrow();
              if (Number(held.n) >= options.maxPerTenant) return false;
            }
            const row = definitionRow(r);
            await tx.insertInto("role_definitions").values(row).execute();
            await recordChange(tx, "rbac", r.updatedOn, { kind: "role.put", role: definitionRecord(row) }, true);
            return true;
          }),
        "A role definition with this name already exists.",
      );
    },
    /**
     * Deletes a custom role unless an assignment references it, in one transaction: `assignments` says how many do
     * (the role then stays), `deleted` false with none says it was gone already. The assignments are counted after
     * the transaction took the change feed's turn, and an assignment of a custom role is inserted only while that
     * turn is held and the role still exists (insertRoleAssignment): each one either committed before this count
     * or finds the role deleted, so no assignment ever names a deleted role.
     */
    async deleteRoleDefinition(id: string, at: string): Promise<{ deleted: boolean; assignments: number }> {
      const key = id.toLowerCase();
      try {
        return await changeTransaction(db, async (tx) => {
          const result = await tx.deleteFrom("role_definitions").where("id", "=", key).executeTakeFirst();
          if (Number(result.numDeletedRows) === 0) return { deleted: false, assignments: 0 };
          const assignments = await countAssignmentsOfRole(tx, key);
          if (assignments > 0) throw new RoleInUse(assignments);
          await recordChange(tx, "rbac", at, { kind: "role.delete", id: key }, true);
          return { deleted: true, assignments: 0 };
        });
      } catch (err) {
        if (err instanceof RoleInUse) return { deleted: false, assignments: err.assignments };
        throw err;
      }
    },
    async getRoleDefinition(id: string): Promise<RoleDefinitionRecord | undefined> {
      const row = await db.selectFrom("role_definitions").selectAll().where("id", "=", id.toLowerCase()).executeTakeFirst();
      return row && definitionRecord(row);
    },
    async findRoleDefinitionByName(tenantId: string, roleName: string): Promise<RoleDefinitionRecord | undefined> {
      const row = await db
        .selectFrom("role_definitions")
        .selectAll()
        .where("tenant_id", "=", tenantId)
        .where("role_name_key", "=", roleName.trim().toLowerCase())
        .executeTakeFirst();
      return row && definitionRecord(row);
    },
    async listRoleDefinitions(): Promise<RoleDefinitionRecord[]> {
      const rows = await db.selectFrom("role_definitions").selectAll().orderBy("role_name_key").execute();
      return rows.map(definitionRecord);
    },
    countAssignmentsOfRole: (roleId: string) => countAssignmentsOfRole(db, roleId.toLowerCase()),
    /** Assignments at the subscription or anything below it: what Azure's per-subscription limit counts. */
    countAssignmentsInSubscription: (subscriptionId: string) => countInSubscription(db, subscriptionId),
    /**
     * Inserts a deny assignment with its change. With `max`, only while fewer are held where Azure counts them (its
     * subscription; above subscriptions, the tenant's management-group and root ones), counted after the
     * transaction took the change feed's turn, as role assignments: returns false, writing nothing, when refused.
     */
    async insertDenyAssignment(d: DenyAssignmentRecord, options: { max?: number } = {}): Promise<boolean> {
      return conflictOnDuplicate(
        () =>
          changeTransaction(db, async (tx) => {
            if (options.max !== undefined && (await countDenyAssignmentsBeside(tx, d)) >= options.max) return false;
            const row = denyRow(d);
            await tx.insertInto("deny_assignments").values(row).execute();
            await recordChange(tx, "rbac", d.createdOn, { kind: "deny.put", deny: denyRecord(row) }, true);
            return true;
          }),
        "The deny assignment already exists.",
      );
    },
    async deleteDenyAssignment(id: string, at: string): Promise<boolean> {
      return db.transaction().execute(async (tx) => {
        const result = await tx.deleteFrom("deny_assignments").where("id", "=", id.toLowerCase()).executeTakeFirst();
        const deleted = Number(result.numDeletedRows) > 0;
        if (deleted) await recordChange(tx, "rbac", at, { kind: "deny.delete", id: id.toLowerCase() });
        return deleted;
      });
    },
    async listDenyAssignments(): Promise<DenyAssignmentRecord[]> {
      const rows = await db.selectFrom("deny_assignments").selectAll().orderBy("id").execute();
      return rows.map(denyRecord);
    },
  };
}

/** Rolls back a role's delete that found assignments of the role. */
class RoleInUse extends Error {
  readonly assignments: number;
  constructor(assignments: number) {
    super(`${assignments} assignment(s) reference the role.`);
    this.assignments = assignments;
  }
}

async function countAssignmentsOfRole(db: Kysely<Tables>, roleKey: string): Promise<number> {
  const row = await db
    .selectFrom("role_assignments")
    .select((eb) => eb.fn.countAll().as("n"))
    .where("role_definition_id", "=", roleKey)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

function definitionRow(r: RoleDefinitionRecord): Tables["role_definitions"] {
  return {
    id: r.id.toLowerCase(),
    tenant_id: r.tenantId,
    role_name: r.roleName,
    role_name_key: r.roleName.trim().toLowerCase(),
    description: r.description,
    assignable_scopes: JSON.stringify(r.assignableScopes),
    permissions: JSON.stringify(r.permissions),
    created_on: r.createdOn,
    created_by: r.createdBy,
    updated_on: r.updatedOn,
    updated_by: r.updatedBy,
  };
}

function definitionRecord(row: Selectable<Tables["role_definitions"]>): RoleDefinitionRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    roleName: row.role_name,
    description: row.description,
    assignableScopes: JSON.parse(row.assignable_scopes),
    permissions: JSON.parse(row.permissions),
    createdOn: row.created_on,
    createdBy: row.created_by,
    updatedOn: row.updated_on,
    updatedBy: row.updated_by,
  };
}

function denyRow(d: DenyAssignmentRecord): Tables["deny_assignments"] {
  return {
    id: d.id.toLowerCase(),
    tenant_id: d.tenantId,
    deny_assignment_name: d.denyAssignmentName,
    description: d.description,
    scope: d.scope,
    scope_key: d.scope.toLowerCase(),
    permissions: JSON.stringify(d.permissions),
    principals: JSON.stringify(d.principals),
    exclude_principals: JSON.stringify(d.excludePrincipals),
    do_not_apply_to_child_scopes: d.doNotApplyToChildScopes ? 1 : 0,
    created_on: d.createdOn,
  };
}

function denyRecord(row: Selectable<Tables["deny_assignments"]>): DenyAssignmentRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    denyAssignmentName: row.deny_assignment_name,
    description: row.description,
    scope: row.scope,
    permissions: JSON.parse(row.permissions),
    principals: JSON.parse(row.principals),
    excludePrincipals: JSON.parse(row.exclude_principals),
    doNotApplyToChildScopes: Number(row.do_not_apply_to_child_scopes) === 1,
    createdOn: row.created_on,
  };
}

/** The deny assignments `d` counts with: its subscription's, or, above subscriptions, its tenant's others. */
async function countDenyAssignmentsBeside(db: Kysely<Tables>, d: DenyAssignmentRecord): Promise<number> {
  const subscription = /^\/subscriptions\/[^/]+/i.exec(d.scope)?.[0]?.toLowerCase();
  const row = await db
    .selectFrom("deny_assignments")
    .select((eb) => eb.fn.countAll().as("n"))
    .where((eb) =>
      subscription
        ? eb.or([eb("scope_key", "=", subscription), eb("scope_key", "like", `${subscription}/%`)])
        : eb.and([eb("tenant_id", "=", d.tenantId), eb("scope_key", "not like", "/subscriptions/%")]),
    )
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Assignments at a subscription or anything below it: what Azure's per-subscription limit counts. */
export async function countInSubscription(db: Kysely<Tables>, subscriptionId: string): Promise<number> {
  const key = `/subscriptions/${subscriptionId.toLowerCase()}`;
  const row = await db
    .selectFrom("role_assignments")
    .select((eb) => eb.fn.countAll().as("n"))
    .where((eb) => eb.or([eb("scope_key", "=", key), eb("scope_key", "like", `${key}/%`)]))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
