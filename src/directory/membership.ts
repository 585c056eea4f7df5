import type { GroupEdge } from "../storage/records.ts";

/**
 * Nested group membership derived from the direct edges. Walks are breadth-first with a visited set, so they
 * terminate and stay correct even if a cycle reached storage some other way (the directory refuses to add one).
 */

/** Every group that `principalId` belongs to directly or through nested groups. */
export function transitiveGroupsOf(principalId: string, edges: readonly GroupEdge[]): string[] {
  const parents = indexBy(
    edges,
    (e) => e.memberId,
    (e) => e.groupId,
  );
  return walk(principalId.toLowerCase(), parents);
}

/** Every object inside `groupId`, directly or through nested groups, with its type. */
export function transitiveMembersOf(groupId: string, edges: readonly GroupEdge[]): GroupEdge[] {
  const children = new Map<string, GroupEdge[]>();
  for (const e of edges) children.set(e.groupId, [...(children.get(e.groupId) ?? []), e]);
  const seen = new Set<string>([groupId]);
  const found: GroupEdge[] = [];
  const queue = [groupId];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const edge of children.get(next) ?? []) {
      if (seen.has(edge.memberId)) continue;
      seen.add(edge.memberId);
      found.push(edge);
      if (edge.memberType === "group") queue.push(edge.memberId);
    }
  }
  return found;
}

/** Whether making `memberGroupId` a member of `groupId` would close a loop (including a group inside itself). */
export function wouldCreateCycle(groupId: string, memberGroupId: string, edges: readonly GroupEdge[]): boolean {
  if (groupId === memberGroupId) return true;
  return transitiveGroupsOf(groupId, edges).includes(memberGroupId);
}

function walk(start: string, next: Map<string, string[]>): string[] {
  const seen = new Set<string>();
  const queue = [start];
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    for (const parent of next.get(id) ?? []) {
      if (seen.has(parent) || parent === start) continue;
      seen.add(parent);
      queue.push(parent);
    }
  }
  return [...seen];
}

function indexBy(edges: readonly GroupEdge[], key: (e: GroupEdge) => string, value: (e: GroupEdge) => string): Map<string, string[]> {
  const index = new Map<string, string[]>();
  for (const e of edges) {
    const k = key(e);
    const list = index.get(k);
    if (list) list.push(value(e));
    else index.set(k, [value(e)]);
  }
  return index;
}
