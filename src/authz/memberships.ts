/** One direct membership edge: `memberId` (a user, service principal or group) is a member of `groupId`. */
export interface Membership {
  groupId: string;
  memberId: string;
}

/**
 * Every principal's transitive groups, keyed and valued by lower-case id: a member of a group that is itself a
 * member of another group belongs to both, as Azure RBAC treats nested groups. Cycles are tolerated (each group is
 * visited once per member), since the directory does not forbid them everywhere.
 */
export function transitiveGroups(memberships: readonly Membership[]): ReadonlyMap<string, readonly string[]> {
  const direct = new Map<string, string[]>();
  for (const { groupId, memberId } of memberships) {
    const member = memberId.toLowerCase();
    const list = direct.get(member);
    if (list) list.push(groupId.toLowerCase());
    else direct.set(member, [groupId.toLowerCase()]);
  }
  const closure = new Map<string, readonly string[]>();
  for (const member of direct.keys()) {
    const seen = new Set<string>();
    const pending = [...direct.get(member)!];
    while (pending.length > 0) {
      const group = pending.pop()!;
      if (group === member || seen.has(group)) continue;
      seen.add(group);
      for (const parent of direct.get(group) ?? []) pending.push(parent);
    }
    closure.set(member, Object.freeze([...seen].sort()));
  }
  return closure;
}
