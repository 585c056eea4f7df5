import { parseScope } from "../core/scope.ts";
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

interface AssignmentPage {
  value: RoleAssignmentRecord[];
  /** The `$skipToken` of the next page, when there is one. */
  nextSkipToken?: string;
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
  const after = decodeSkipToken(query.skipToken);
  // Selected and paged in SQL (a tenant may hold 100,000 assignments): at the scope or above it (its ancestors'
  // keys), and below it unless atScope().
  const key = canonicalKey(scope.key);
  const read = await deps.store.selectRoleAssignmentsPage({
    tenantId: caller.tenantId,
    atKeys: ancestorKeys(key),
    belowKey: filter.atScope ? undefined : key,
    principals: filter.principals && [...filter.principals],
    after,
    limit: top + 1,
  });
  const value = read.slice(0, top).map((r) => r.value);
  return read.length > top ? { value, nextSkipToken: encodeSkipToken(read[top - 1]!.cursor) } : { value };
}

function canonicalKey(scope: string): string {
  return scope.toLowerCase().replace(/\/+$/, "") || "/";
}

/** The key itself and every key above it (`/` included), as `scopeRelation` counts "at" and "above". */
function ancestorKeys(key: string): string[] {
  if (key === "/") return ["/"];
  const segments = key.split("/").slice(1);
  return ["/", ...segments.map((_, i) => `/${segments.slice(0, i + 1).join("/")}`)];
}

function pageSize(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_PAGE;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > DEFAULT_PAGE)
    throw armError("InvalidRequestContent", `$top must be an integer from 1 to ${DEFAULT_PAGE}.`);
  return n;
}

/** An opaque `$skipToken`: the keyset cursor of the last assignment served. */
function encodeSkipToken(cursor: string): string {
  return Buffer.from(JSON.stringify({ after: cursor })).toString("base64url");
}

/** A keyset token, or an offset one (as earlier versions wrote them). */
function decodeSkipToken(raw: string | undefined): { cursor: string } | { offset: number } | undefined {
  if (raw === undefined) return undefined;
  try {
    const { offset, after } = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as { offset?: unknown; after?: unknown };
    if (typeof after === "string" && after !== "") return { cursor: after };
    if (typeof offset === "number" && Number.isInteger(offset) && offset >= 0) return { offset };
  } catch {
    // falls through to the error below
  }
  throw armError("InvalidSkipToken");
}
