import type { Kysely, Selectable } from "kysely";
import { scopeRelation } from "../core/scope.ts";
import { recordChange } from "./change-feed.ts";
import type { RoleAssignmentRecord } from "./records.ts";
import type { Tables } from "./tables.ts";
import { roleDefinitionStore } from "./role-definition-store.ts";
import { conflictOnDuplicate } from "./unique-violation.ts";

export function rbacStore(db: Kysely<Tables>) {
  return {
    ...roleDefinitionStore(db),
    /** Inserts an assignment and records a change in the same transaction, so every node sees it. */
    async insertRoleAssignment(a: RoleAssignmentRecord): Promise<void> {
      await conflictOnDuplicate(
        () =>
          db.transaction().execute(async (tx) => {
            await tx.insertInto("role_assignments").values(toRow(a)).execute();
            await recordChange(tx, "rbac", a.createdOn);
          }),
        "The role assignment already exists.",
      );
    },
    /** Replaces an assignment's condition and description (its scope, role and principal never change). */
    async updateRoleAssignment(a: RoleAssignmentRecord): Promise<void> {
      await db.transaction().execute(async (tx) => {
        await tx
          .updateTable("role_assignments")
          .set({
            condition: a.condition,
            condition_version: a.conditionVersion,
            description: a.description,
            updated_on: a.updatedOn,
            updated_by: a.updatedBy,
          })
          .where("id", "=", a.id.toLowerCase())
          .execute();
        await tx.insertInto("changes").values({ topic: "rbac", at: a.updatedOn }).execute();
      });
    },
    async deleteRoleAssignment(id: string, at: string): Promise<boolean> {
      return db.transaction().execute(async (tx) => {
        const result = await tx.deleteFrom("role_assignments").where("id", "=", id.toLowerCase()).executeTakeFirst();
        const deleted = Number(result.numDeletedRows) > 0;
        if (deleted) await recordChange(tx, "rbac", at);
        return deleted;
      });
    },
    /**
     * Removes the role and deny assignments at `scope` or below, in one transaction: what goes with a deleted
     * resource group or resource, so a namesake created later inherits nothing. Matched in code rather than with
     * LIKE, whose `_` would also match other names. Returns how many were removed.
     */
    async deleteAssignmentsUnder(scope: string, at: string): Promise<number> {
      const under = (row: { scope_key: string }) => {
        const where = scopeRelation(row.scope_key, scope);
        return where === "at" || where === "below";
      };
      return db.transaction().execute(async (tx) => {
        const roles = (await tx.selectFrom("role_assignments").select(["id", "scope_key"]).execute()).filter(under).map((r) => r.id);
        const denies = (await tx.selectFrom("deny_assignments").select(["id", "scope_key"]).execute()).filter(under).map((r) => r.id);
        if (roles.length > 0) await tx.deleteFrom("role_assignments").where("id", "in", roles).execute();
        if (denies.length > 0) await tx.deleteFrom("deny_assignments").where("id", "in", denies).execute();
        if (roles.length + denies.length > 0) await tx.insertInto("changes").values({ topic: "rbac", at }).execute();
        return roles.length + denies.length;
      });
    },
    async getRoleAssignment(id: string): Promise<RoleAssignmentRecord | undefined> {
      const row = await db.selectFrom("role_assignments").selectAll().where("id", "=", id.toLowerCase()).executeTakeFirst();
      return row && toRecord(row);
    },
    async findRoleAssignment(principalId: string, roleDefinitionId: string, scope: string): Promise<RoleAssignmentRecord | undefined> {
      const row = await db
        .selectFrom("role_assignments")
        .selectAll()
        .where("principal_id", "=", principalId.toLowerCase())
        .where("role_definition_id", "=", roleDefinitionId.toLowerCase())
        .where("scope_key", "=", scope.toLowerCase())
        .executeTakeFirst();
      return row && toRecord(row);
    },
    async listRoleAssignments(): Promise<RoleAssignmentRecord[]> {
      const rows = await db.selectFrom("role_assignments").selectAll().orderBy("created_on").execute();
      return rows.map(toRecord);
    },
    async listRoleAssignmentsOfPrincipals(principalIds: readonly string[]): Promise<RoleAssignmentRecord[]> {
      if (principalIds.length === 0) return [];
      const rows = await db
        .selectFrom("role_assignments")
        .selectAll()
        .where(
          "principal_id",
          "in",
          principalIds.map((id) => id.toLowerCase()),
        )
        .execute();
      return rows.map(toRecord);
    },
    /** The newest change number; a node compares it with what it loaded to know its policy is current. */
    async latestChange(): Promise<number> {
      const row = await db
        .selectFrom("changes")
        .select((eb) => eb.fn.max("seq").as("seq"))
        .executeTakeFirst();
      return Number(row?.seq ?? 0);
    },
  };
}

export type RbacStore = ReturnType<typeof rbacStore>;

function toRow(a: RoleAssignmentRecord): Tables["role_assignments"] {
  return {
    id: a.id.toLowerCase(),
    tenant_id: a.tenantId,
    scope: a.scope,
    scope_key: a.scope.toLowerCase(),
    role_definition_id: a.roleDefinitionId.toLowerCase(),
    principal_id: a.principalId.toLowerCase(),
    principal_type: a.principalType,
    description: a.description,
    condition: a.condition,
    condition_version: a.conditionVersion,
    created_on: a.createdOn,
    created_by: a.createdBy,
    updated_on: a.updatedOn,
    updated_by: a.updatedBy,
  };
}

function toRecord(row: Selectable<Tables["role_assignments"]>): RoleAssignmentRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    scope: row.scope,
    roleDefinitionId: row.role_definition_id,
    principalId: row.principal_id,
    principalType: row.principal_type,
    description: row.description,
    condition: row.condition,
    conditionVersion: row.condition_version,
    createdOn: row.created_on,
    createdBy: row.created_by,
    updatedOn: row.updated_on,
    updatedBy: row.updated_by,
  };
}
