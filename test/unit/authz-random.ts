/**
 * Seeded random policies and requests for comparing the compiled authorizer with the pure evaluator. The
 * generator deliberately mixes cases (scopes, actions, principal ids), trailing slashes, groups, deny
 * assignments, conditions and unknown roles, since those are where an index or a cache key goes wrong.
 */
import { builtInRoles } from "../../src/authz/builtin-roles.ts";
import { delegationCondition } from "../../src/authz/define-role.ts";
import { createPolicy } from "../../src/authz/policy.ts";
import type { AccessRequest, DenyAssignment, Operation, Policy, RoleAssignment, RoleDefinition } from "../../src/authz/types.ts";

export type Rng = () => number;

/** mulberry32: small, fast and deterministic for a given seed. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Vocabulary {
  principals: string[];
  groups: string[];
  scopes: string[];
  operations: Operation[];
  roleIds: string[];
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)]!;
}

function someOf<T>(rng: Rng, items: readonly T[], max: number): T[] {
  const n = Math.floor(rng() * (max + 1));
  return Array.from({ length: n }, () => pick(rng, items));
}

/** Randomly upper-cases a string, or adds a trailing slash to a scope: neither may change a decision's verdict. */
function scramble(rng: Rng, text: string): string {
  const r = rng();
  if (r < 0.15) return text.toUpperCase();
  if (r < 0.25) return text.toLowerCase();
  if (r < 0.3 && text.startsWith("/")) return `${text}/`;
  return text;
}

export function randomRequest(rng: Rng, v: Vocabulary): AccessRequest {
  const op = pick(rng, v.operations);
  const request: AccessRequest = {
    principalId: scramble(rng, pick(rng, v.principals)),
    groupIds: v.groups.length > 0 ? someOf(rng, v.groups, 3).map((g) => scramble(rng, g)) : [],
    operation: { kind: rng() < 0.1 ? (op.kind === "action" ? "dataAction" : "action") : op.kind, name: scramble(rng, op.name) },
    scope: scramble(rng, pick(rng, v.scopes)),
  };
  if (rng() < 0.4) request.attributes = { roleDefinitionId: scramble(rng, pick(rng, v.roleIds)) };
  return request;
}

const SUBS = ["/subscriptions/aaaa", "/subscriptions/bbbb"];
const SCOPES = [
  "/",
  ...SUBS,
  ...SUBS.map((s) => `${s}/resourceGroups/rg1`),
  ...SUBS.map((s) => `${s}/resourceGroups/rg1/providers/Microsoft.CognitiveServices/accounts/a1`),
  "/subscriptions/aaaa/resourceGroups/rg1/providers/Microsoft.CognitiveServices/accounts/a1/projects/p1",
  "/subscriptions/aaaa/resourceGroups/rg1/providers/Microsoft.CognitiveServices/accounts/a1/deployments/d1",
  "/subscriptions/aaaa/resourceGroups/rg2/providers/Microsoft.CognitiveServices/accounts/a2",
  "/providers/Microsoft.Management/managementGroups/mg1",
  "bogus",
];
const OPERATIONS: Operation[] = [
  { kind: "dataAction", name: "Microsoft.CognitiveServices/accounts/MaaS/chat/completions/action" },
  { kind: "dataAction", name: "Microsoft.CognitiveServices/accounts/OpenAI/deployments/chat/completions/action" },
  { kind: "dataAction", name: "Microsoft.CognitiveServices/accounts/OpenAI/stored-completions/read" },
  { kind: "dataAction", name: "Microsoft.CognitiveServices/accounts/AIServices/agents/write" },
  { kind: "action", name: "Microsoft.CognitiveServices/accounts/read" },
  { kind: "action", name: "Microsoft.CognitiveServices/accounts/deployments/write" },
  { kind: "action", name: "Microsoft.Authorization/roleAssignments/write" },
  { kind: "action", name: "Microsoft.Authorization/roleAssignments/delete" },
];
export const PRINCIPALS = ["u1", "u2", "u3", "g1", "g2", "g3"];
export const CUSTOM: RoleDefinition = {
  id: "cccccccc-0000-0000-0000-000000000001",
  roleName: "Random Custom",
  roleType: "CustomRole",
  description: "",
  assignableScopes: ["/subscriptions/aaaa"],
  permissions: [
    { actions: ["Microsoft.CognitiveServices/*"], notActions: ["*/write"], dataActions: ["*/MaaS/*"], notDataActions: [] },
    {
      actions: ["Microsoft.Authorization/*"],
      notActions: [],
      dataActions: [],
      notDataActions: [],
      condition: delegationCondition([builtInRoles[2]!.id]),
    },
  ],
};
const ROLE_IDS = [...builtInRoles.map((r) => r.id), CUSTOM.id, "dddddddd-0000-0000-0000-00000000dead"];
const CONDITIONS = [undefined, undefined, undefined, delegationCondition([ROLE_IDS[0]!, ROLE_IDS[6]!]), "@Resource[x] StringEquals 'y'"];

export function randomAssignment(rng: Rng, i: number): RoleAssignment {
  const a: RoleAssignment = {
    id: `ra-${i}`,
    scope: scramble(rng, pick(rng, SCOPES)),
    roleDefinitionId: pick(rng, ROLE_IDS),
    principalId: pick(rng, PRINCIPALS),
    principalType: "User",
  };
  const condition = pick(rng, CONDITIONS);
  if (condition !== undefined) a.condition = condition;
  return a;
}

export function randomDeny(rng: Rng, i: number): DenyAssignment {
  const everyone = { id: "00000000-0000-0000-0000-000000000000", type: "SystemDefined" };
  return {
    // Ids descend with i so that storage order is not id order, and scopes cluster so that ties happen.
    id: `deny-${String.fromCharCode(122 - i)}`,
    scope: pick(rng, rng() < 0.5 ? SCOPES.slice(1, 4) : SCOPES),
    permissions: [
      {
        actions: someOf(rng, ["*/write", "Microsoft.CognitiveServices/*"], 1),
        notActions: [],
        dataActions: someOf(rng, ["*/MaaS/*", "Microsoft.CognitiveServices/*"], 1),
        notDataActions: someOf(rng, ["*/OpenAI/*"], 1),
      },
    ],
    principals: rng() < 0.4 ? [everyone] : someOf(rng, PRINCIPALS, 2).map((id) => ({ id, type: "User" })),
    excludePrincipals: someOf(rng, PRINCIPALS, 1).map((id) => ({ id, type: "User" })),
    doNotApplyToChildScopes: rng() < 0.5,
  };
}

export function randomPolicy(rng: Rng): { policy: Policy; vocabulary: Vocabulary } {
  const roleAssignments = Array.from({ length: 5 + Math.floor(rng() * 25) }, (_, i) => randomAssignment(rng, i));
  const denyAssignments = Array.from({ length: Math.floor(rng() * 6) }, (_, i) => randomDeny(rng, i));
  // Random (possibly nested, possibly cyclic) memberships among the same ids, resolved by the policy snapshot.
  const memberships = Array.from({ length: Math.floor(rng() * 8) }, () => ({
    groupId: pick(rng, PRINCIPALS),
    memberId: pick(rng, PRINCIPALS),
  }));
  const policy = createPolicy({ customRoles: [CUSTOM], roleAssignments, denyAssignments, memberships });
  // Requests pass no groups half the time, which is how the service calls the authorizer (groups from the snapshot).
  const vocabulary = {
    principals: PRINCIPALS,
    groups: rng() < 0.5 ? [] : PRINCIPALS,
    scopes: SCOPES,
    operations: OPERATIONS,
    roleIds: ROLE_IDS,
  };
  return { policy, vocabulary };
}
