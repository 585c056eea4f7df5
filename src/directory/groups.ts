import { type Clock, nowIso } from "../core/clock.ts";
import { InvalidInputError, NotFoundError } from "../core/errors.ts";
import { newGuid } from "../core/ids.ts";
import { type ListPage, type ListQuery, pageOf } from "../core/list-query.ts";
import type { DirectoryStore } from "../storage/directory-store.ts";
import type { DirectoryObjectType, GroupEdge, GroupRecord, ServicePrincipalRecord, UserRecord } from "../storage/records.ts";
import { checkTextLengths } from "./text-limits.ts";

/** Any object that can be a member or owner of a group, tagged by its kind. */
type DirectoryObject =
  | { kind: "user"; id: string; tenantId: string; user: UserRecord }
  | { kind: "group"; id: string; tenantId: string; group: GroupRecord }
  | { kind: "servicePrincipal"; id: string; tenantId: string; servicePrincipal: ServicePrincipalRecord };

export interface NewGroup {
  displayName: string;
  mailNickname: string;
  description?: string | null;
  securityEnabled?: boolean;
  mailEnabled?: boolean;
}
export interface GroupChanges {
  displayName?: string;
  mailNickname?: string;
  description?: string | null;
}

/** Security groups: properties, direct members and owners, and membership through nested groups. */
export function createGroups(store: DirectoryStore, clock: Clock) {
  const now = () => nowIso(clock);

  async function getObject(id: string): Promise<DirectoryObject | undefined> {
    const key = id.toLowerCase();
    const user = await store.getUser(key);
    if (user) return { kind: "user", id: user.id, tenantId: user.tenantId, user };
    const group = await store.getGroup(key);
    if (group) return { kind: "group", id: group.id, tenantId: group.tenantId, group };
    const sp = await store.getServicePrincipal(key);
    return sp && { kind: "servicePrincipal", id: sp.id, tenantId: sp.tenantId, servicePrincipal: sp };
  }

  async function requireGroup(id: string): Promise<GroupRecord> {
    const group = await store.getGroup(id);
    if (!group) throw new NotFoundError(id);
    return group;
  }

  async function objects(ids: readonly { id: string }[]): Promise<DirectoryObject[]> {
    const found = await Promise.all(ids.map((e) => getObject(e.id)));
    return found.filter((o): o is DirectoryObject => o !== undefined);
  }

  /** The objects edges point at, in edge order, with one query per kind (and per 500 ids); missing ones dropped. */
  async function objectsOf(edges: readonly GroupEdge[]): Promise<DirectoryObject[]> {
    const ids = (kind: DirectoryObjectType) => edges.filter((e) => e.memberType === kind).map((e) => e.memberId);
    const byId = await objectsById(ids("user"), ids("group"), ids("servicePrincipal"));
    return edges.map((e) => byId.get(e.memberId)).filter((o): o is DirectoryObject => o !== undefined);
  }

  /** Users, groups and service principals by id, one query per kind and per 500 ids, keyed by id. */
  async function objectsById(userIds: readonly string[], groupIds: readonly string[], spIds: readonly string[]) {
    const [users, groups, sps] = await Promise.all([store.getUsers(userIds), store.getGroups(groupIds), store.getServicePrincipals(spIds)]);
    // Ids are unique across kinds; were one not, the kind getObject tries first wins, as there.
    const byId = new Map<string, DirectoryObject>();
    const put = (object: DirectoryObject) => byId.has(object.id) || byId.set(object.id, object);
    for (const user of users) put({ kind: "user", id: user.id, tenantId: user.tenantId, user });
    for (const group of groups) put({ kind: "group", id: group.id, tenantId: group.tenantId, group });
    for (const sp of sps) put({ kind: "servicePrincipal", id: sp.id, tenantId: sp.tenantId, servicePrincipal: sp });
    return byId;
  }

  /**
   * Objects of any kind by id (Graph's `getByIds`), in the order asked, missing ones dropped: each id is looked
   * for in every kind's table at once, one query per kind and per 500 ids, instead of up to three per id.
   */
  async function getObjects(ids: readonly string[]): Promise<DirectoryObject[]> {
    const keys = [...new Set(ids.map((id) => id.toLowerCase()))];
    const byId = await objectsById(keys, keys, keys);
    return ids.map((id) => byId.get(id.toLowerCase())).filter((o): o is DirectoryObject => o !== undefined);
  }

  /**
   * Everything inside a group, directly or through nested groups: breadth-first, one indexed query per nesting
   * level (not the tenant's every edge), each object once, groups in the order they were reached.
   */
  async function transitiveMemberEdges(groupId: string): Promise<GroupEdge[]> {
    const seen = new Set<string>([groupId]);
    const found: GroupEdge[] = [];
    let frontier = [groupId];
    while (frontier.length > 0) {
      const edges = await store.listMembersOfAny(frontier);
      const byGroup = new Map<string, GroupEdge[]>();
      for (const e of edges) byGroup.set(e.groupId, [...(byGroup.get(e.groupId) ?? []), e]);
      const next: string[] = [];
      for (const group of frontier) {
        for (const edge of byGroup.get(group) ?? []) {
          if (seen.has(edge.memberId)) continue;
          seen.add(edge.memberId);
          found.push(edge);
          if (edge.memberType === "group") next.push(edge.memberId);
        }
      }
      frontier = next;
    }
    return found;
  }

  /**
   * Walks up level by level with one indexed query per level, so the cost follows nesting depth rather than the
   * size of the directory (this sits on the authorization path).
   */
  async function transitiveGroupIds(principalId: string): Promise<string[]> {
    const start = principalId.toLowerCase();
    const seen = new Set<string>();
    let frontier = [start];
    while (frontier.length > 0) {
      const parents = await store.listDirectGroupsOfAny(frontier);
      frontier = parents.filter((g) => g !== start && !seen.has(g));
      for (const g of frontier) seen.add(g);
    }
    return [...seen];
  }

  return {
    getObject,
    getObjects,
    getGroup: (id: string) => store.getGroup(id),
    listGroups: (tenantId: string) => store.listGroups(tenantId),
    async listGroupsPage(tenantId: string, query: ListQuery): Promise<ListPage<GroupRecord>> {
      const page = pageOf(await store.listGroupsPage(tenantId, { ...query, limit: query.limit + 1 }), query.limit);
      return { items: page.items.map((i) => i.value), next: page.next };
    },
    transitiveGroupIds,

    async createGroup(tenantId: string, input: NewGroup): Promise<GroupRecord> {
      if (input.securityEnabled === false)
        throw new InvalidInputError("Only security groups are supported: securityEnabled must be true.", "securityEnabled");
      if (input.mailEnabled === true)
        throw new InvalidInputError("Mail-enabled groups are not supported: mailEnabled must be false.", "mailEnabled");
      checkTextLengths("Group", { displayName: input.displayName, description: input.description });
      const group: GroupRecord = {
        id: newGuid(),
        tenantId,
        displayName: input.displayName,
        mailNickname: input.mailNickname,
        description: input.description ?? null,
        securityEnabled: true,
        mailEnabled: false,
        createdAt: now(),
      };
      await store.insertGroup(group);
      return group;
    },

    async updateGroup(id: string, changes: GroupChanges): Promise<GroupRecord> {
      checkTextLengths("Group", { displayName: changes.displayName, description: changes.description });
      const group = { ...(await requireGroup(id)), ...changes };
      await store.updateGroup(group);
      return group;
    },

    async deleteGroup(id: string): Promise<void> {
      if (!(await store.deleteGroup((await requireGroup(id)).id, now()))) throw new NotFoundError(id);
    },

    /** Adds a direct member; a group that would end up inside itself is refused. */
    async addMember(groupId: string, memberId: string): Promise<void> {
      const group = await requireGroup(groupId);
      const member = await getObject(memberId);
      if (!member || member.tenantId !== group.tenantId) throw new NotFoundError(memberId);
      await store.addGroupMember({ groupId: group.id, memberId: member.id, memberType: member.kind }, now(), (closesLoop) => {
        if (closesLoop) {
          throw new InvalidInputError(
            `Adding group '${member.id}' to group '${group.id}' would make a group a member of itself.`,
            "members",
          );
        }
      });
    },

    async removeMember(groupId: string, memberId: string): Promise<void> {
      const group = await requireGroup(groupId);
      if (!(await store.removeGroupMember(group.id, memberId.toLowerCase(), now()))) throw new NotFoundError(memberId);
    },

    async listMembers(groupId: string): Promise<DirectoryObject[]> {
      return objectsOf(await store.listGroupMembers((await requireGroup(groupId)).id));
    },

    /** One page of a group's direct members in the order they were added (`$filter`-free lists: SQL keyset paging). */
    async listMembersPage(groupId: string, query: Omit<ListQuery, "where">): Promise<ListPage<DirectoryObject>> {
      const group = await requireGroup(groupId);
      const page = pageOf(await store.listGroupMembersPage(group.id, { ...query, limit: query.limit + 1 }), query.limit);
      return { items: await objectsOf(page.items.map((i) => i.value)), next: page.next };
    },

    async listTransitiveMembers(groupId: string): Promise<DirectoryObject[]> {
      const group = await requireGroup(groupId);
      return objectsOf(await transitiveMemberEdges(group.id));
    },

    /** The groups an object is a direct member of. */
    async memberOf(principalId: string): Promise<GroupRecord[]> {
      const ids = await store.listDirectGroupsOf(principalId);
      return (await Promise.all(ids.map((id) => store.getGroup(id)))).filter((g): g is GroupRecord => g !== undefined);
    },

    async transitiveMemberOf(principalId: string): Promise<GroupRecord[]> {
      const ids = await transitiveGroupIds(principalId);
      return (await Promise.all(ids.map((id) => store.getGroup(id)))).filter((g): g is GroupRecord => g !== undefined);
    },

    async addOwner(groupId: string, ownerId: string): Promise<void> {
      const group = await requireGroup(groupId);
      const owner = await getObject(ownerId);
      if (!owner || owner.tenantId !== group.tenantId || owner.kind === "group") throw new NotFoundError(ownerId);
      await store.addGroupOwner(group.id, owner.id, owner.kind satisfies DirectoryObjectType, now());
    },

    async removeOwner(groupId: string, ownerId: string): Promise<void> {
      const group = await requireGroup(groupId);
      if (!(await store.removeGroupOwner(group.id, ownerId.toLowerCase()))) throw new NotFoundError(ownerId);
    },

    async listOwners(groupId: string): Promise<DirectoryObject[]> {
      return objects((await store.listGroupOwners((await requireGroup(groupId)).id)).map((o) => ({ id: o.ownerId })));
    },
  };
}
