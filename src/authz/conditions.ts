import { isGuid } from "../core/ids.ts";
import type { NormalizedOperation } from "./permission-match.ts";
import type { AccessRequest } from "./types.ts";

/**
 * ABAC conditions, supported in one form only: the delegation condition of the Foundry roles (and the portal's
 * "constrained delegation" on role assignments), an AND of clauses
 *   ((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR
 *    (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals{g1,g2}))
 * Such a condition constrains only role-assignment writes/deletes and is true for every other operation.
 * Anything else parses as `unsupported`, which never grants: an access check must fail closed on a condition
 * it cannot evaluate, never ignore it.
 */

const ROLE_ASSIGNMENT_WRITE = "microsoft.authorization/roleassignments/write";
const ROLE_ASSIGNMENT_DELETE = "microsoft.authorization/roleassignments/delete";

export interface DelegationClause {
  /** Lower-case action the clause constrains: role-assignment write or delete. */
  action: string;
  /** Lower-case role GUIDs the assigned (write) or removed (delete) assignment may carry. */
  roleIds: ReadonlySet<string>;
}

export type ParsedCondition = { kind: "delegation"; clauses: readonly DelegationClause[] } | { kind: "unsupported"; text: string };

const NOT_ACTION = String.raw`(?:\(\s*!\s*\(\s*ActionMatches\s*\{\s*'([^']*)'\s*\}\s*\)\s*\)|!\s*\(\s*ActionMatches\s*\{\s*'([^']*)'\s*\}\s*\))`;
const ROLE_IN_SET = String.raw`\(\s*@(?:Request|Resource)\[Microsoft\.Authorization/roleAssignments:RoleDefinitionId\]\s*ForAnyOfAnyValues:GuidEquals\s*\{([^}]*)\}\s*\)`;
const CLAUSE = new RegExp(String.raw`^\(\s*${NOT_ACTION}\s+OR\s+${ROLE_IN_SET}\s*\)$`, "i");

/** Splits on `AND` outside parentheses and braces. */
function splitTopLevelAnd(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "(" || ch === "{") depth++;
    else if (ch === ")" || ch === "}") depth--;
    else if (depth === 0 && /^\sAND\s/i.test(text.slice(i, i + 5))) {
      parts.push(text.slice(start, i).trim());
      start = i + 5;
      i += 4;
    }
  }
  parts.push(text.slice(start).trim());
  return parts;
}

function parseClause(text: string): DelegationClause | undefined {
  const m = CLAUSE.exec(text);
  if (!m) return undefined;
  const action = (m[1] ?? m[2] ?? "").toLowerCase();
  if (action !== ROLE_ASSIGNMENT_WRITE && action !== ROLE_ASSIGNMENT_DELETE) return undefined;
  const ids = m[3]!.split(",").map((id) => id.trim().toLowerCase());
  if (ids.length === 0 || !ids.every(isGuid)) return undefined;
  return { action, roleIds: new Set(ids) };
}

/** Parses a condition string; `undefined` when there is no condition at all (absent, null or blank). */
export function parseCondition(text: string | null | undefined): ParsedCondition | undefined {
  if (text === undefined || text === null || text.trim() === "") return undefined;
  const clauses: DelegationClause[] = [];
  for (const part of splitTopLevelAnd(text.replace(/\s+/g, " ").trim())) {
    const clause = parseClause(part);
    if (!clause) return { kind: "unsupported", text };
    clauses.push(clause);
  }
  return { kind: "delegation", clauses };
}

/** The GUID of a role id given as a GUID or as a full `.../roleDefinitions/{guid}` ARM id, lower-cased. */
export function roleGuidOf(roleDefinitionId: string): string {
  return roleDefinitionId
    .slice(roleDefinitionId.lastIndexOf("/") + 1)
    .trim()
    .toLowerCase();
}

/**
 * Whether a condition lets `op` through. The caller passes the role being assigned (write) or the role of the
 * assignment being deleted (delete) as `attributes.roleDefinitionId`; without it a constrained write is refused.
 */
export function conditionAllows(condition: ParsedCondition, op: NormalizedOperation, attributes: AccessRequest["attributes"]): boolean {
  if (condition.kind === "unsupported") return false;
  return condition.clauses.every((clause) => {
    if (op.kind !== "action" || op.name !== clause.action) return true;
    const roleId = attributes?.roleDefinitionId;
    return roleId !== undefined && clause.roleIds.has(roleGuidOf(roleId));
  });
}
