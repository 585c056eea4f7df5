/** One direct membership edge: `memberId` (a user, service principal or group) is a member of `groupId`. */
export interface Membership {
  groupId: string;
  memberId: string;
}

/** What a decision needs of group memberships: a principal's transitive groups (lower-case), if any. */
interface GroupLookup {
  get(principalId: string): readonly string[] | undefined;
}

/**
 * Direct membership edges kept as they change (an edge added or removed, an object deleted), with each member's
 * transitive groups derived on demand and memoised until the next change. Holding only direct edges keeps memory
 * proportional to the edges (a closure of every member would multiply it by the nesting), and a change costs the
 * edge, not a rebuild. Keys and values are lower-case ids.
 */
export interface MembershipGraph extends GroupLookup {
  add(groupId: string, memberId: string): void;
  remove(groupId: string, memberId: string): void;
  /** Removes every edge naming `id`, as member or as group (a deleted principal or group). */
  dropObject(id: string): void;
  readonly edgeCount: number;
  /** Every direct edge (for listings and tests). */
  edges(): Membership[];
}

const MAX_MEMO = 100_000;

export function createMembershipGraph(memberships: Iterable<Membership> = []): MembershipGraph {
  /** member → the groups it is a direct member of. */
  const parents = new Map<string, string[]>();
  /** group → its direct members (to drop a deleted group's edges without a scan). */
  const children = new Map<string, string[]>();
  const memo = new Map<string, readonly string[]>();
  /** One copy of each group id seen (a string read from storage is otherwise a copy per edge). */
  const groupNames = new Map<string, string>();
  let edgeCount = 0;

  const addTo = (map: Map<string, string[]>, key: string, value: string): boolean => {
    const list = map.get(key);
    if (!list) {
      map.set(key, [value]);
      return true;
    }
    if (list.includes(value)) return false;
    list.push(value);
    return true;
  };
  const removeFrom = (map: Map<string, string[]>, key: string, value: string): boolean => {
    const list = map.get(key);
    const at = list ? list.indexOf(value) : -1;
    if (!list || at < 0) return false;
    list.splice(at, 1);
    if (list.length === 0) map.delete(key);
    return true;
  };

  function add(groupId: string, memberId: string): void {
    // A group's id is held once, however many members it has.
    const lower = groupId.toLowerCase();
    let group = groupNames.get(lower);
    if (group === undefined) {
      group = lower;
      groupNames.set(lower, group);
    }
    const member = memberId.toLowerCase();
    if (addTo(parents, member, group)) {
      addTo(children, group, member);
      edgeCount++;
      memo.clear();
    }
  }

  function remove(groupId: string, memberId: string): void {
    const group = groupId.toLowerCase();
    const member = memberId.toLowerCase();
    if (removeFrom(parents, member, group)) {
      removeFrom(children, group, member);
      edgeCount--;
      memo.clear();
    }
  }

  function dropObject(id: string): void {
    const object = id.toLowerCase();
    for (const group of [...(parents.get(object) ?? [])]) remove(group, object);
    for (const member of [...(children.get(object) ?? [])]) remove(object, member);
  }

  /**
   * A member of a group that is itself a member of another group belongs to both, as Azure RBAC treats nested
   * groups. Cycles are tolerated (each group is visited once), since the directory does not forbid them everywhere.
   */
  function get(principalId: string): readonly string[] | undefined {
    const member = principalId.toLowerCase();
    const direct = parents.get(member);
    if (!direct) return undefined;
    const known = memo.get(member);
    if (known) return known;
    const seen = new Set<string>();
    const pending = [...direct];
    while (pending.length > 0) {
      const group = pending.pop()!;
      if (group === member || seen.has(group)) continue;
      seen.add(group);
      for (const parent of parents.get(group) ?? []) pending.push(parent);
    }
    const groups = Object.freeze([...seen].sort());
    if (memo.size >= MAX_MEMO) memo.clear();
    memo.set(member, groups);
    return groups;
  }

  for (const { groupId, memberId } of memberships) add(groupId, memberId);
  return {
    add,
    remove,
    dropObject,
    get,
    get edgeCount() {
      return edgeCount;
    },
    edges() {
      const all: Membership[] = [];
      for (const [memberId, groups] of parents) for (const groupId of groups) all.push({ groupId, memberId });
      return all;
    },
  };
}

/**
 * Every principal's transitive groups, keyed and valued by lower-case id (see `createMembershipGraph`); a
 * principal in no group has no entry.
 */
export function transitiveGroups(memberships: readonly Membership[]): ReadonlyMap<string, readonly string[]> {
  const graph = createMembershipGraph(memberships);
  const closure = new Map<string, readonly string[]>();
  for (const { memberId } of memberships) {
    const member = memberId.toLowerCase();
    if (!closure.has(member)) closure.set(member, graph.get(member)!);
  }
  return closure;
}
