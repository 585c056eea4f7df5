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

/**
 * The ids a key holds: one id alone, a list from the second. Most members are in one group, so a list per member
 * would cost an array object and its backing store per edge (about 11 MB at 100k users) for nothing.
 */
type OneOrMany = string | string[];

const listOf = (held: OneOrMany | undefined): readonly string[] => (held === undefined ? [] : typeof held === "string" ? [held] : held);

/**
 * `id` lower-case, without a copy when it already is (`toLowerCase` copies even then): a GUID's characters
 * (a-z, 0-9, `-`) are left as they are, anything else goes through `toLowerCase`.
 */
export function lowerId(id: string): string {
  return /[^a-z0-9-]/.test(id) ? id.toLowerCase() : id;
}

interface MembershipGraphOptions {
  /**
   * The instance of a member id the caller already holds (the authorizer passes its assignments' principal ids),
   * so a principal that holds assignments and memberships keeps one copy of its id; `undefined` when unknown.
   */
  knownId?(lowerId: string): string | undefined;
}

export function createMembershipGraph(memberships: Iterable<Membership> = [], options: MembershipGraphOptions = {}): MembershipGraph {
  /** member → the group(s) it is a direct member of. */
  const parents = new Map<string, OneOrMany>();
  /** group → its direct member(s) (to drop a deleted group's edges without a scan). */
  const children = new Map<string, OneOrMany>();
  const memo = new Map<string, readonly string[]>();
  /** One copy of each group id seen (a string read from storage is otherwise a copy per edge). */
  const groupNames = new Map<string, string>();
  let edgeCount = 0;

  const addTo = (map: Map<string, OneOrMany>, key: string, value: string): boolean => {
    const held = map.get(key);
    if (held === undefined) map.set(key, value);
    else if (typeof held === "string") {
      if (held === value) return false;
      map.set(key, [held, value]);
    } else {
      if (held.includes(value)) return false;
      held.push(value);
    }
    return true;
  };
  const removeFrom = (map: Map<string, OneOrMany>, key: string, value: string): boolean => {
    const held = map.get(key);
    if (held === undefined) return false;
    if (typeof held === "string") {
      if (held !== value) return false;
      map.delete(key);
      return true;
    }
    const at = held.indexOf(value);
    if (at < 0) return false;
    held.splice(at, 1);
    if (held.length === 1) map.set(key, held[0]!);
    return true;
  };

  function add(groupId: string, memberId: string): void {
    // A group's id is held once, however many members it has; a member's id once, as the caller holds it.
    const lower = lowerId(groupId);
    let group = groupNames.get(lower);
    if (group === undefined) {
      group = lower;
      groupNames.set(lower, group);
    }
    const lowerMember = lowerId(memberId);
    const member = groupNames.get(lowerMember) ?? options.knownId?.(lowerMember) ?? lowerMember;
    if (addTo(parents, member, group)) {
      addTo(children, group, member);
      edgeCount++;
      memo.clear();
    }
  }

  function remove(groupId: string, memberId: string): void {
    const group = lowerId(groupId);
    const member = lowerId(memberId);
    if (removeFrom(parents, member, group)) {
      removeFrom(children, group, member);
      edgeCount--;
      memo.clear();
    }
  }

  function dropObject(id: string): void {
    const object = lowerId(id);
    for (const group of [...listOf(parents.get(object))]) remove(group, object);
    for (const member of [...listOf(children.get(object))]) remove(object, member);
  }

  /**
   * A member of a group that is itself a member of another group belongs to both, as Azure RBAC treats nested
   * groups. Cycles are tolerated (each group is visited once), since the directory does not forbid them everywhere.
   */
  function get(principalId: string): readonly string[] | undefined {
    const member = lowerId(principalId);
    const direct = parents.get(member);
    if (direct === undefined) return undefined;
    const known = memo.get(member);
    if (known) return known;
    const seen = new Set<string>();
    const pending = [...listOf(direct)];
    while (pending.length > 0) {
      const group = pending.pop()!;
      if (group === member || seen.has(group)) continue;
      seen.add(group);
      for (const parent of listOf(parents.get(group))) pending.push(parent);
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
      for (const [memberId, groups] of parents) for (const groupId of listOf(groups)) all.push({ groupId, memberId });
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
    const member = lowerId(memberId);
    if (!closure.has(member)) closure.set(member, graph.get(member)!);
  }
  return closure;
}
