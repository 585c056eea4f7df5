import { type Kysely, type Selectable, sql } from "kysely";
import { dialectOf } from "./dialect.ts";
import { NotFoundError } from "../core/errors.ts";
import { type ActivityRecord, activityRow } from "./activity-store.ts";
import { CHANGE_CHANNEL, type Change, type ChangeDelta, changeFeed, changeTransaction, recordChange } from "./change-feed.ts";
import { afterCursor, cursorOf } from "./directory-lists.ts";
import type { RoleAssignmentRecord } from "./records.ts";
import type { Tables } from "./tables.ts";
import { countInSubscription, roleDefinitionStore } from "./role-definition-store.ts";
import { conflictOnDuplicate } from "./unique-violation.ts";

export function rbacStore(db: Kysely<Tables>) {
  return {
    ...roleDefinitionStore(db),
    /**
     * Inserts an assignment, records its change (so every node sees it) and, when given, the activity-log entry of
     * the write, in one transaction: nothing is acknowledged that a crash could still lose. With `limit`, the insert
     * happens only while the subscription holds fewer than `limit.max` assignments, counted after the transaction
     * took the change feed's turn: two nodes creating the last allowed one at once cannot both succeed. Returns the
     * recorded change, or undefined when the limit refused the insert. A duplicate throws `ConflictError`. With
     * `customRole`, the insert happens only while the custom role it names exists, checked under the same turn a
     * role's delete counts its assignments under (deleteRoleDefinition): a role deleted since the caller read it
     * throws `NotFoundError`, and no assignment ever names a deleted role.
     * On PostgreSQL this is three round trips: `begin` with the lock, one statement, `commit`.
     */
    async insertRoleAssignment(a: RoleAssignmentRecord, options: InsertOptions = {}): Promise<Change | undefined> {
      const row = toRow(a);
      const delta = { kind: "assignment.put", assignment: toRecord(row) } as const;
      return conflictOnDuplicate(
        () =>
          changeTransaction(db, async (tx) => {
            if (dialectOf(tx) === "postgres") return insertGuardedPostgres(tx, row, delta, options);
            if (options.customRole && !(await roleExists(tx, row.role_definition_id))) throw roleGone();
            if (options.limit && (await countInSubscription(tx, options.limit.subscriptionId)) >= options.limit.max) return undefined;
            await tx.insertInto("role_assignments").values(row).execute();
            if (options.activity) await tx.insertInto("activity_log").values(activityRow(options.activity)).execute();
            return recordChange(tx, "rbac", a.createdOn, delta, true);
          }),
        "The role assignment already exists.",
      );
    },
    /**
     * Replaces an assignment's condition and description (its scope, role and principal never change); false, with
     * no change recorded, when the assignment is gone (deleted since it was read): a change would put it back in
     * every node's policy. Only the row of that id that still has that scope, role and principal, as deletes: one of
     * the same name put meanwhile elsewhere is not the one the caller was authorized for, and the change (which
     * carries the assignment as read) would give every node's policy the deleted one back.
     */
    async updateRoleAssignment(a: RoleAssignmentRecord): Promise<boolean> {
      // The change feed's turn first, as a create or delete takes it: taken after the row's lock, a delete of the
      // same assignment holding the turn and waiting for the row would deadlock with it (PostgreSQL).
      return changeTransaction(db, async (tx) => {
        const result = await tx
          .updateTable("role_assignments")
          .set({
            condition: a.condition,
            condition_version: a.conditionVersion,
            description: a.description,
            updated_on: a.updatedOn,
            updated_by: a.updatedBy,
          })
          .where("id", "=", a.id.toLowerCase())
          .where("scope_key", "=", a.scope.toLowerCase())
          .where("role_definition_id", "=", a.roleDefinitionId.toLowerCase())
          .where("principal_id", "=", a.principalId.toLowerCase())
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 0) return false;
        await recordChange(tx, "rbac", a.updatedOn, { kind: "assignment.put", assignment: toRecord(toRow(a)) }, true);
        return true;
      });
    },
    /**
     * Deletes an assignment as it was read and authorized: the row of that id only while it still has that scope,
     * role and principal. Between the caller's check and this statement another call may have deleted it and
     * created one of the same name elsewhere (names are global); that one stays. With its change and, when given,
     * the activity-log entry of the write, in one transaction (on PostgreSQL three round trips, as an insert);
     * returns the recorded change, or undefined when nothing matched.
     */
    async deleteRoleAssignment(
      authorized: AuthorizedAssignment,
      at: string,
      options: { activity?: ActivityRecord } = {},
    ): Promise<Change | undefined> {
      const key = authorized.id.toLowerCase();
      const scopeKey = authorized.scope.toLowerCase();
      const roleId = authorized.roleDefinitionId.toLowerCase();
      const principalId = authorized.principalId.toLowerCase();
      const delta = { kind: "assignment.delete", id: key } as const;
      return changeTransaction(db, async (tx) => {
        if (dialectOf(tx) === "postgres") {
          const { rows } = await sql<{ seq: string | number }>`
            with gone as (delete from role_assignments where id = ${key} and scope_key = ${scopeKey}
              and role_definition_id = ${roleId} and principal_id = ${principalId} returning id)${activityPart(options.activity, "gone")},
            change as (insert into changes (topic, at, delta) select 'rbac', ${at}, ${JSON.stringify(delta)} from gone returning seq)
            select seq, pg_notify(${CHANGE_CHANNEL}, current_schema()) from change`.execute(tx);
          const seq = rows[0]?.seq;
          return seq === undefined ? undefined : { seq: Number(seq), topic: "rbac" as const, at, delta };
        }
        const result = await tx
          .deleteFrom("role_assignments")
          .where("id", "=", key)
          .where("scope_key", "=", scopeKey)
          .where("role_definition_id", "=", roleId)
          .where("principal_id", "=", principalId)
          .executeTakeFirst();
        if (Number(result.numDeletedRows) === 0) return undefined;
        if (options.activity) await tx.insertInto("activity_log").values(activityRow(options.activity)).execute();
        return recordChange(tx, "rbac", at, delta, true);
      });
    },
    /**
     * Deletes the role and deny assignments at or below a scope (a deleted resource group's or resource's) in one
     * transaction with one change (a bulk one: nodes reload), so a namesake created later inherits nothing; returns
     * how many.
     */
    async deleteAssignmentsAtOrBelow(scope: string, at: string): Promise<number> {
      const key = scope.toLowerCase();
      const below = `${key}/`;
      // The change feed's turn first (see updateRoleAssignment): these rows are what a create or delete waits on.
      return changeTransaction(db, async (tx) => {
        let deleted = 0;
        for (const table of ["role_assignments", "deny_assignments"] as const) {
          const result = await tx
            .deleteFrom(table)
            .where((eb) => eb.or([eb("scope_key", "=", key), eb(sql<string>`substr(scope_key, 1, ${below.length})`, "=", below)]))
            .executeTakeFirst();
          deleted += Number(result.numDeletedRows);
        }
        if (deleted > 0) await recordChange(tx, "rbac", at, { kind: "full" }, true);
        return deleted;
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
    /**
     * One page of a tenant's assignments in creation order, selected in SQL: those whose scope key is one of `atKeys`
     * (the scope and those above it) or, with `belowKey`, under it; of `principals` only, when given. Continued
     * after a keyset `cursor`, or (older tokens) from an offset.
     */
    async selectRoleAssignmentsPage(query: {
      tenantId: string;
      atKeys: readonly string[];
      belowKey?: string | undefined;
      principals?: readonly string[] | undefined;
      after?: { cursor: string } | { offset: number } | undefined;
      limit: number;
    }): Promise<{ value: RoleAssignmentRecord; cursor: string }[]> {
      let q = db.selectFrom("role_assignments").selectAll().where("tenant_id", "=", query.tenantId);
      const below = query.belowKey;
      q = q.where((eb) => {
        const at = eb("scope_key", "in", [...query.atKeys]);
        if (below === undefined) return at;
        if (below === "/") return eb.or([at, eb("scope_key", "<>", "/")]);
        const pattern = `${below.replace(/[\\%_]/g, (c) => `\\${c}`)}/%`;
        return eb.or([at, sql<boolean>`scope_key like ${pattern} escape '\\'`]);
      });
      if (query.principals) {
        if (query.principals.length === 0) return [];
        q = q.where("principal_id", "in", [...query.principals]);
      }
      const after = query.after;
      if (after && "cursor" in after) q = q.where((eb) => afterCursor(eb, "created_on", "id", after.cursor));
      let ordered = q.orderBy("created_on").orderBy("id").limit(query.limit);
      if (after && "offset" in after) ordered = ordered.offset(after.offset);
      const rows = await ordered.execute();
      return rows.map((row) => ({ value: toRecord(row), cursor: cursorOf(row.created_on, row.id) }));
    },
    /**
     * Up to `limit` assignments with ids above `afterId`, by id: a whole policy read a page at a time. Only the
     * fields a decision reads: the rest of a row (times, authors, description) would be garbage per row.
     */
    async listRoleAssignmentsPage(afterId: string, limit: number): Promise<PolicyAssignmentRecord[]> {
      const rows = await db
        .selectFrom("role_assignments")
        .select(["id", "scope", "role_definition_id", "principal_id", "principal_type", "condition"])
        .where("id", ">", afterId)
        .orderBy("id")
        .limit(limit)
        .execute();
      return rows.map((row) => ({
        id: row.id,
        scope: row.scope,
        roleDefinitionId: row.role_definition_id,
        principalId: row.principal_id,
        principalType: row.principal_type,
        condition: row.condition,
      }));
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
    latestChange: () => changeFeed(db).latest(),
    /** Up to `limit` changes numbered above `after`, in order (what a node applies to its policy). */
    changesSince: (after: number, limit: number) => changeFeed(db).since(after, limit),
  };
}

export type RbacStore = ReturnType<typeof rbacStore>;

/**
 * PostgreSQL: the limit check, the insert, the activity entry, the change row and its notification as one statement
 * (data-modifying CTEs; each later part inserts only if the assignment did). It runs after the lock, so its snapshot
 * counts every assignment committed before.
 */
type InsertOptions = { limit?: { subscriptionId: string; max: number }; activity?: ActivityRecord; customRole?: boolean };

async function roleExists(tx: Kysely<Tables>, roleKey: string): Promise<boolean> {
  return (await tx.selectFrom("role_definitions").select("id").where("id", "=", roleKey).executeTakeFirst()) !== undefined;
}

const roleGone = () => new NotFoundError("The role definition", "The role definition was deleted.");

async function insertGuardedPostgres(
  tx: Kysely<Tables>,
  row: Tables["role_assignments"],
  delta: ChangeDelta,
  options: InsertOptions,
): Promise<Change | undefined> {
  const key = options.limit && `/subscriptions/${options.limit.subscriptionId.toLowerCase()}`;
  const guards = [
    ...(options.limit
      ? [sql`(select count(*) from role_assignments where scope_key = ${key} or scope_key like ${`${key}/%`}) < ${options.limit.max}`]
      : []),
    ...(options.customRole ? [sql`exists (select 1 from role_definitions where id = ${row.role_definition_id})`] : []),
  ];
  const guard = guards.length > 0 ? sql`where ${sql.join(guards, sql` and `)}` : sql``;
  const text = JSON.stringify(delta);
  const { rows } = await sql<{ seq: string | number }>`
    with assignment as (insert into role_assignments ${columns(row)} select ${values(row)} ${guard} returning id)${activityPart(options.activity, "assignment")},
    change as (insert into changes (topic, at, delta) select 'rbac', ${row.created_on}, ${text} from assignment returning seq)
    select seq, pg_notify(${CHANGE_CHANNEL}, current_schema()) from change`.execute(tx);
  const seq = rows[0]?.seq;
  if (seq !== undefined) return { seq: Number(seq), topic: "rbac", at: row.created_on, delta };
  // Refused: by the role's absence (the rarer case, so read only now, still holding the turn) or by the limit.
  if (options.customRole && !(await roleExists(tx, row.role_definition_id))) throw roleGone();
  return undefined;
}

/** `, activity as (insert … select … from {after})`: the entry is written only if the statement's write happened. */
function activityPart(activity: ActivityRecord | undefined, after: string) {
  if (!activity) return sql``;
  const row = activityRow(activity);
  return sql`, activity as (insert into activity_log ${columns(row)} select ${values(row)} from ${sql.table(after)})`;
}

const columns = (row: object) => sql`(${sql.join(Object.keys(row).map((c) => sql.id(c)))})`;
const values = (row: object) => sql.join(Object.values(row).map((v) => sql`${v}`));

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

/** What a role assignment's deletion was authorized for: the assignment, at its scope, of its role, to its principal. */
type AuthorizedAssignment = Pick<RoleAssignmentRecord, "id" | "scope" | "roleDefinitionId" | "principalId">;

/** What a node's policy holds of a role assignment. */
export type PolicyAssignmentRecord = Pick<
  RoleAssignmentRecord,
  "id" | "scope" | "roleDefinitionId" | "principalId" | "principalType" | "condition"
>;

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
