import { recordChange, type ChangeTopic } from "./change-feed.ts";
import { type Kysely, type Selectable, sql, type Transaction } from "kysely";
import type { ListItem, ListQuery } from "../core/list-query.ts";
import { afterCursor, cursorOf, DIRECTORY_LIST_FIELDS, whereCondition } from "./directory-lists.ts";
import { dialectOf } from "./dialect.ts";
import type { DirectoryObjectType, GroupEdge, GroupRecord } from "./records.ts";
import type { Tables } from "./tables.ts";
import { conflictOnDuplicate } from "./unique-violation.ts";

/** The change-feed topic of directory membership: the RBAC live policy reloads when it moves. */
const DIRECTORY_TOPIC: ChangeTopic = "directory";

/**
 * Groups and their direct member/owner edges. Every write that changes who belongs to what appends to the
 * change feed in the same transaction, so every node's policy (which expands groups) notices it.
 */
export function groupStore(db: Kysely<Tables>) {
  const dialect = dialectOf(db);
  return {
    async insertGroup(g: GroupRecord): Promise<void> {
      await db.insertInto("groups").values(toRow(g)).execute();
    },
    async getGroup(id: string): Promise<GroupRecord | undefined> {
      const row = await db.selectFrom("groups").selectAll().where("id", "=", id.toLowerCase()).executeTakeFirst();
      return row && toGroup(row);
    },
    async listGroups(tenantId: string): Promise<GroupRecord[]> {
      const rows = await db
        .selectFrom("groups")
        .selectAll()
        .where("tenant_id", "=", tenantId)
        .orderBy("created_at")
        .orderBy("id")
        .execute();
      return rows.map(toGroup);
    },
    /** One page of a tenant's groups in creation order, filtered and continued in SQL. */
    async listGroupsPage(tenantId: string, query: ListQuery): Promise<ListItem<GroupRecord>[]> {
      let q = db.selectFrom("groups").selectAll().where("tenant_id", "=", tenantId);
      if (query.where) q = q.where((eb) => whereCondition(eb, query.where!, DIRECTORY_LIST_FIELDS.groups, dialect));
      if (query.after) q = q.where((eb) => afterCursor(eb, "created_at", "id", query.after!));
      const rows = await q.orderBy("created_at").orderBy("id").limit(query.limit).execute();
      return rows.map((row) => ({ value: toGroup(row), cursor: cursorOf(row.created_at, row.id) }));
    },
    /** Groups by id, in one query per 500 ids. */
    async getGroups(ids: readonly string[]): Promise<GroupRecord[]> {
      const out: GroupRecord[] = [];
      for (let i = 0; i < ids.length; i += 500) {
        const rows = await db
          .selectFrom("groups")
          .selectAll()
          .where("id", "in", ids.slice(i, i + 500))
          .execute();
        out.push(...rows.map(toGroup));
      }
      return out;
    },
    async updateGroup(g: GroupRecord): Promise<void> {
      await db.updateTable("groups").set(toRow(g)).where("id", "=", g.id).execute();
    },
    /** Deletes a group and every edge that names it, as member, container or owner. */
    async deleteGroup(id: string, at: string): Promise<boolean> {
      return db.transaction().execute(async (tx) => {
        await tx
          .deleteFrom("group_members")
          .where((eb) => eb.or([eb("group_id", "=", id), eb("member_id", "=", id)]))
          .execute();
        await tx
          .deleteFrom("group_owners")
          .where((eb) => eb.or([eb("group_id", "=", id), eb("owner_id", "=", id)]))
          .execute();
        const result = await tx.deleteFrom("groups").where("id", "=", id).executeTakeFirst();
        await recordChange(tx, DIRECTORY_TOPIC, at, { kind: "object.delete", id });
        return Number(result.numDeletedRows) > 0;
      });
    },

    /**
     * Adds a direct member. For a group, `acceptNesting` hears inside the transaction whether the edge would close
     * a loop (the member is the group, or contains it at any depth) as the edges are then, so the check sees the
     * state the insert lands on; it throws to refuse.
     */
    async addGroupMember(edge: GroupEdge, at: string, acceptNesting: (closesLoop: boolean) => void): Promise<void> {
      await conflictOnDuplicate(
        () =>
          db.transaction().execute(async (tx) => {
            if (edge.memberType === "group") {
              await serializeNesting(tx);
              acceptNesting(edge.groupId === edge.memberId || (await isInside(tx, edge.groupId, edge.memberId)));
            }
            await tx
              .insertInto("group_members")
              .values({ group_id: edge.groupId, member_id: edge.memberId, member_type: edge.memberType, added_at: at })
              .execute();
            await recordChange(tx, DIRECTORY_TOPIC, at, { kind: "membership.add", groupId: edge.groupId, memberId: edge.memberId });
          }),
        "One or more added object references already exist for the following modified properties: 'members'.",
      );
    },
    async removeGroupMember(groupId: string, memberId: string, at: string): Promise<boolean> {
      return db.transaction().execute(async (tx) => {
        const result = await tx
          .deleteFrom("group_members")
          .where("group_id", "=", groupId)
          .where("member_id", "=", memberId)
          .executeTakeFirst();
        const removed = Number(result.numDeletedRows) > 0;
        if (removed) await recordChange(tx, DIRECTORY_TOPIC, at, { kind: "membership.remove", groupId, memberId });
        return removed;
      });
    },
    /** Direct members of one group. */
    async listGroupMembers(groupId: string): Promise<GroupEdge[]> {
      const rows = await db
        .selectFrom("group_members")
        .selectAll()
        .where("group_id", "=", groupId)
        .orderBy("added_at")
        .orderBy("member_id")
        .execute();
      return rows.map(toEdge);
    },
    /** One page of a group's direct member edges, in the order they were added, continued in SQL. */
    async listGroupMembersPage(groupId: string, query: ListQuery): Promise<ListItem<GroupEdge>[]> {
      let q = db.selectFrom("group_members").selectAll().where("group_id", "=", groupId);
      if (query.after) q = q.where((eb) => afterCursor(eb, "added_at", "member_id", query.after!));
      const rows = await q.orderBy("added_at").orderBy("member_id").limit(query.limit).execute();
      return rows.map((row) => ({ value: toEdge(row), cursor: cursorOf(row.added_at, row.member_id) }));
    },
    /** The direct member edges of any of `groupIds` (one indexed query per nesting level of a downward walk). */
    async listMembersOfAny(groupIds: readonly string[]): Promise<GroupEdge[]> {
      const out: GroupEdge[] = [];
      for (let i = 0; i < groupIds.length; i += 500) {
        const rows = await db
          .selectFrom("group_members")
          .selectAll()
          .where("group_id", "in", groupIds.slice(i, i + 500))
          .orderBy("added_at")
          .orderBy("member_id")
          .execute();
        out.push(...rows.map(toEdge));
      }
      return out;
    },
    /** Groups the object is a direct member of. */
    async listDirectGroupsOf(memberId: string): Promise<string[]> {
      const rows = await db.selectFrom("group_members").select("group_id").where("member_id", "=", memberId.toLowerCase()).execute();
      return rows.map((r) => r.group_id);
    },
    /** The groups any of `memberIds` is a direct member of (one indexed query per nesting level of a walk). */
    async listDirectGroupsOfAny(memberIds: readonly string[]): Promise<string[]> {
      if (memberIds.length === 0) return [];
      const rows = await db
        .selectFrom("group_members")
        .select("group_id")
        .distinct()
        .where(
          "member_id",
          "in",
          memberIds.map((id) => id.toLowerCase()),
        )
        .execute();
      return rows.map((r) => r.group_id);
    },
    /** Every direct membership edge, for consumers (RBAC) that expand nested groups themselves. */
    async listGroupMemberships(): Promise<{ groupId: string; memberId: string }[]> {
      const rows = await db
        .selectFrom("group_members")
        .select(["group_id", "member_id"])
        .orderBy("group_id")
        .orderBy("member_id")
        .execute();
      return rows.map((r) => ({ groupId: r.group_id, memberId: r.member_id }));
    },
    /**
     * Up to `limit` direct edges after `after` in (group, member) order, from the primary key: a node's full
     * reload of its policy reads every edge this way, a page at a time.
     */
    async listGroupMembershipsPage(
      after: { groupId: string; memberId: string } | undefined,
      limit: number,
    ): Promise<{ groupId: string; memberId: string }[]> {
      let q = db.selectFrom("group_members").select(["group_id", "member_id"]);
      // `group >= g and (group > g or member > m)`: the leading range lets both dialects seek the primary key.
      if (after)
        q = q.where((eb) =>
          eb.and([eb("group_id", ">=", after.groupId), eb.or([eb("group_id", ">", after.groupId), eb("member_id", ">", after.memberId)])]),
        );
      const rows = await q.orderBy("group_id").orderBy("member_id").limit(limit).execute();
      return rows.map((r) => ({ groupId: r.group_id, memberId: r.member_id }));
    },
    /** Every edge with its member type (for closure computations inside the directory). */
    listGroupEdges: () => groupEdges(db),

    async addGroupOwner(groupId: string, ownerId: string, ownerType: DirectoryObjectType, at: string): Promise<void> {
      await conflictOnDuplicate(
        () => db.insertInto("group_owners").values({ group_id: groupId, owner_id: ownerId, owner_type: ownerType, added_at: at }).execute(),
        "One or more added object references already exist for the following modified properties: 'owners'.",
      );
    },
    async removeGroupOwner(groupId: string, ownerId: string): Promise<boolean> {
      const result = await db.deleteFrom("group_owners").where("group_id", "=", groupId).where("owner_id", "=", ownerId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async listGroupOwners(groupId: string): Promise<{ ownerId: string; ownerType: DirectoryObjectType }[]> {
      const rows = await db.selectFrom("group_owners").selectAll().where("group_id", "=", groupId).orderBy("added_at").execute();
      return rows.map((r) => ({ ownerId: r.owner_id, ownerType: r.owner_type as DirectoryObjectType }));
    },
    async isGroupOwner(groupId: string, ownerId: string): Promise<boolean> {
      const row = await db
        .selectFrom("group_owners")
        .select("owner_id")
        .where("group_id", "=", groupId)
        .where("owner_id", "=", ownerId)
        .executeTakeFirst();
      return row !== undefined;
    },
  };
}

/** Removes every edge naming a principal that is being deleted; call inside the deleting transaction. */
export async function removeEdgesOf(tx: Transaction<Tables>, principalId: string, at: string): Promise<void> {
  await tx.deleteFrom("group_members").where("member_id", "=", principalId).execute();
  await tx.deleteFrom("group_owners").where("owner_id", "=", principalId).execute();
  await tx.deleteFrom("directory_role_members").where("principal_id", "=", principalId).execute();
  await recordChange(tx, DIRECTORY_TOPIC, at, { kind: "object.delete", id: principalId });
}

/**
 * Two concurrent nestings (A into B, B into A) could each pass the cycle check on PostgreSQL; this lock makes
 * group-into-group additions take turns. SQLite already runs one write transaction at a time.
 */
async function serializeNesting(tx: Transaction<Tables>): Promise<void> {
  if (dialectOf(tx) === "postgres") await sql`lock table group_members in share row exclusive mode`.execute(tx);
}

/**
 * Whether `groupId` is inside `containerId` at any depth: a walk up from `groupId` through the member index, in
 * SQL (`union` drops rows already reached, so it ends on a cycle too). It reads the groups above `groupId`, not
 * the tenant's every edge.
 */
async function isInside(db: Transaction<Tables>, groupId: string, containerId: string): Promise<boolean> {
  // PostgreSQL estimates a recursive walk at every edge of the table (110,890 rows at 110k edges), which is above
  // its JIT thresholds: compiling the plan took 0.8 s for a walk that runs in 8 ms. Off for this transaction.
  if (dialectOf(db) === "postgres") await sql`set local jit = off`.execute(db);
  const { rows } = await sql<{ found: number }>`
    with recursive above(id) as (
      select group_id from group_members where member_id = ${groupId}
      union
      select m.group_id from group_members m join above a on m.member_id = a.id
    )
    select 1 as found from above where id = ${containerId} limit 1`.execute(db);
  return rows.length > 0;
}

async function groupEdges(db: Kysely<Tables>): Promise<GroupEdge[]> {
  const rows = await db.selectFrom("group_members").selectAll().execute();
  return rows.map(toEdge);
}

function toEdge(r: Selectable<Tables["group_members"]>): GroupEdge {
  return { groupId: r.group_id, memberId: r.member_id, memberType: r.member_type as DirectoryObjectType };
}

function toRow(g: GroupRecord): Tables["groups"] {
  return {
    id: g.id,
    tenant_id: g.tenantId,
    display_name: g.displayName,
    mail_nickname: g.mailNickname,
    description: g.description,
    security_enabled: g.securityEnabled ? 1 : 0,
    mail_enabled: g.mailEnabled ? 1 : 0,
    created_at: g.createdAt,
  };
}

function toGroup(r: Selectable<Tables["groups"]>): GroupRecord {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    displayName: r.display_name,
    mailNickname: r.mail_nickname,
    description: r.description,
    securityEnabled: r.security_enabled === 1,
    mailEnabled: r.mail_enabled === 1,
    createdAt: r.created_at,
  };
}
