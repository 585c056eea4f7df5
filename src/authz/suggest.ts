import { COGNITIVE_SERVICES_OPENAI_USER_ID, COGNITIVE_SERVICES_USER_ID } from "./builtin-roles-cognitive.ts";
import { FOUNDRY_USER_ID } from "./builtin-roles-foundry.ts";
import { builtInRoles } from "./builtin-roles.ts";
import { compileRole, rolePattern } from "./compile.ts";
import type { NormalizedOperation } from "./permission-match.ts";
import type { AccessRequest, RoleDefinition, SuggestedRole } from "./types.ts";

/**
 * Which built-in roles would grant a denied operation, least privileged first, so a denial can say "assign
 * Cognitive Services User" rather than leave the caller to guess.
 */

/**
 * Roughly how many operations a pattern covers: a literal covers one; each path segment a wildcard leaves
 * open multiplies the reach. (A raw count of patterns would rank Owner, a single `*`, as least privileged.)
 */
function patternBreadth(pattern: string): number {
  if (!pattern.includes("*")) return 1;
  const fixedSegments = pattern.split("/").filter((segment) => !segment.includes("*")).length;
  return 4 ** Math.max(0, 5 - fixedSegments);
}

/** A role's overall privilege: the summed breadth of everything it grants (actions and data actions). */
function privilegeScore(role: RoleDefinition): number {
  let score = 0;
  for (const block of role.permissions) {
    for (const pattern of [...block.actions, ...block.dataActions]) score += patternBreadth(pattern);
  }
  return score;
}

let scores: ReadonlyMap<RoleDefinition, number> | undefined;

/** Computed on first use rather than at import time. */
function scoreOf(role: RoleDefinition): number {
  scores ??= new Map(builtInRoles.map((r) => [r, privilegeScore(r)]));
  return scores.get(role) ?? privilegeScore(role);
}

/**
 * The role Microsoft's docs tell people to assign for each data-action family (Foundry Models "configure Entra ID":
 * Cognitive Services User; Azure OpenAI: Cognitive Services OpenAI User; Foundry agents and projects: Foundry
 * User). It comes first when it grants the operation, ahead of roles that happen to name the family more narrowly
 * but carry unrelated privileges (Azure AI Developer's Machine Learning workspace writes).
 */
const documentedRoleFor: readonly { prefix: string; roleId: string }[] = [
  { prefix: "microsoft.cognitiveservices/accounts/maas/", roleId: COGNITIVE_SERVICES_USER_ID },
  { prefix: "microsoft.cognitiveservices/accounts/openai/", roleId: COGNITIVE_SERVICES_OPENAI_USER_ID },
  { prefix: "microsoft.cognitiveservices/accounts/aiservices/", roleId: FOUNDRY_USER_ID },
];

function documentedRank(op: NormalizedOperation, role: RoleDefinition): number {
  if (op.kind !== "dataAction") return 1;
  const entry = documentedRoleFor.find((e) => op.name.startsWith(e.prefix));
  return entry && entry.roleId === role.id ? 0 : 1;
}

interface Candidate {
  role: RoleDefinition;
  documented: number;
  breadth: number;
  score: number;
}

/**
 * Built-in roles whose permissions (and delegation conditions, given `attributes`) grant `op`. The documented role
 * for the operation's family first; then ordered by how
 * narrowly the role grants this operation (a literal beats `accounts/OpenAI/*`, which beats `*`), then by the
 * role's overall privilege, then by name: so OpenAI chat suggests Cognitive Services OpenAI User before Owner-like
 * roles, and a strict subset of another role (Data Contributor vs. User) always comes first.
 */
export function suggestRoles(op: NormalizedOperation, attributes: AccessRequest["attributes"]): readonly SuggestedRole[] {
  const candidates: Candidate[] = [];
  for (const role of builtInRoles) {
    const pattern = rolePattern(compileRole(role), op, attributes);
    if (pattern !== undefined)
      candidates.push({ role, documented: documentedRank(op, role), breadth: patternBreadth(pattern), score: scoreOf(role) });
  }
  candidates.sort(
    (a, b) =>
      a.documented - b.documented || a.breadth - b.breadth || a.score - b.score || a.role.roleName.localeCompare(b.role.roleName, "en"),
  );
  return Object.freeze(candidates.map(({ role }) => Object.freeze({ id: role.id, roleName: role.roleName })));
}
