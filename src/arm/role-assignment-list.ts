import { parseScope, scopeRelation } from "../core/scope.ts";
import type { RoleAssignmentRecord } from "../storage/records.ts";
import type { ArmCaller } from "./arm-caller.ts";
import { requireAction } from "./arm-caller.ts";
import { armError } from "./arm-errors.ts";
import type { RoleAssignmentDeps } from "./role-assignments.ts";

const READ = "Microsoft.Authorization/roleAssignments/read";
const DEFAULT_PAGE = 1000;
const SUPPORTED = "atScope(), principalId eq '{id}', assignedTo('{id}'), and atScope() combined with either";

/** Which assignments a list returns, from `$filter`: where relative to the scope, and whose. */
interface ListFilter {
  /** true: at and above the scope only (`atScope()`); false: at, above and below. */
  atScope: boolean;
  /** Principal ids whose assignments count; undefined = everyone's. */
  principals?: ReadonlySet<string>;
}

function parseFilter(raw: string | undefined, groupsOf: (id: string) => readonly string[]): ListFilter {
  const filter: ListFilter = { atScope: false };
  if (raw === undefined || raw.trim() === "") return filter;
  for (const term of raw.split(/\s+and\s+/i).map((t) => t.trim())) {
    const principal = /^principalId\s+eq\s+'([^']+)'$/i.exec(term);
    const assignedTo = /^assignedTo\('([^']+)'\)$/i.exec(term);
    if (/^atScope\(\)$/i.test(term) && !filter.atScope) filter.atScope = true;
    else if (principal && !filter.principals) filter.principals = new Set([principal[1]!.toLowerCase()]);
    else if (assignedTo && !filter.principals) {
      const id = assignedTo[1]!.toLowerCase();
      filter.principals = new Set([id, ...groupsOf(id).map((g) => g.toLowerCase())]);
    } else throw armError("InvalidFilter", `'${raw}' is not supported. Supported filters: ${SUPPORTED}.`);
  }
  return filter;
}

export interface AssignmentPage {
  value: RoleAssignmentRecord[];
  /** The offset of the next page, when there is one. */
  nextSkip?: number;
}

/**
 * `GET {scope}/providers/Microsoft.Authorization/roleAssignments`: `atScope()` = at and above the scope; no filter,
 * `principalId eq` and `assignedTo()` also reach below it. Paged by `$top` and an opaque `$skipToken`.
 */
export async function listRoleAssignments(
  deps: RoleAssignmentDeps,
  caller: ArmCaller,
  scopeText: string,
  query: { filter?: string | undefined; top?: string | undefined; skipToken?: string | undefined },
): Promise<AssignmentPage> {
  const scope = parseScope(scopeText);
  if (!scope) throw armError("InvalidScope", scopeText);
  await requireAction(deps, caller, READ, scope.id);
  const filter = parseFilter(query.filter, deps.groupsOf);
  const top = pageSize(query.top);
  const skip = decodeSkipToken(query.skipToken);
  const matching = (await deps.store.listRoleAssignments()).filter((a) => {
    if (a.tenantId !== caller.tenantId) return false;
    if (filter.principals && !filter.principals.has(a.principalId.toLowerCase())) return false;
    const where = scopeRelation(a.scope, scope.key);
    return where === "at" || where === "above" || (where === "below" && !filter.atScope);
  });
  const value = matching.slice(skip, skip + top);
  return skip + top < matching.length ? { value, nextSkip: skip + top } : { value };
}

function pageSize(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_PAGE;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > DEFAULT_PAGE)
    throw armError("InvalidRequestContent", `$top must be an integer from 1 to ${DEFAULT_PAGE}.`);
  return n;
}

export function encodeSkipToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString("base64url");
}

function decodeSkipToken(raw: string | undefined): number {
  if (raw === undefined) return 0;
  try {
    const { offset } = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as { offset?: unknown };
    if (typeof offset === "number" && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // falls through to the error below
  }
  throw armError("InvalidSkipToken");
}
