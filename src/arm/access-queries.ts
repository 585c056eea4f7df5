import { type Clock, nowIso } from "../core/clock.ts";
import { ConflictError } from "../core/errors.ts";
import { isGuid } from "../core/ids.ts";
import { parseScope, scopeRelation } from "../core/scope.ts";
import type { RbacStore } from "../storage/rbac-store.ts";
import type { DenyAssignmentRecord, PermissionRecord } from "../storage/records.ts";
import type { ArmCaller } from "./arm-caller.ts";
import { type ActionCheck, requireAction } from "./arm-caller.ts";
import { armError } from "./arm-errors.ts";
import { checkPermissionSizes, MAX_DESCRIPTION, MAX_ROLE_TEXT, permissionText } from "./role-definitions.ts";

/**
 * Questions about access rather than changes to it: the caller's effective permissions at a scope, the Keyless
 * check-access extension, and deny assignments. The evaluation itself is injected (arm never imports authz).
 */
export interface AccessDeps extends ActionCheck {
  store: RbacStore;
  clock: Clock;
  /** The permission blocks of every role the principal (or a group of it) holds at the scope or above. */
  effectivePermissions(principalId: string, scope: string): PermissionRecord[];
  /** The shared explanation of one decision (`src/authz/explain.ts`), ready to serialize. */
  checkAccess(principalId: string, operation: { kind: "action" | "dataAction"; name: string }, scope: string): Record<string, unknown>;
  policyChanged(): Promise<void>;
}

const READ_ASSIGNMENTS = "Microsoft.Authorization/roleAssignments/read";
const READ_DENY = "Microsoft.Authorization/denyAssignments/read";
const WRITE_DENY = "Microsoft.Authorization/denyAssignments/write";
const DELETE_DENY = "Microsoft.Authorization/denyAssignments/delete";
const EVERYONE = "00000000-0000-0000-0000-000000000000";
/**
 * Azure's limit of deny assignments per subscription (management-group and root ones count per tenant): every node
 * holds them all in memory and checks each decision against those on its scope chain.
 */
export const DENY_ASSIGNMENTS_PER_SUBSCRIPTION = 2000;

function checkScope(scopeText: string) {
  const scope = parseScope(scopeText);
  if (!scope) throw armError("InvalidScope", scopeText || "/");
  return scope;
}

/** `GET {scope}/providers/Microsoft.Authorization/permissions`: always about the caller itself, so no extra check. */
export function callerPermissions(deps: AccessDeps, caller: ArmCaller, scopeText: string): PermissionRecord[] {
  return deps.effectivePermissions(caller.principalId, checkScope(scopeText).id);
}

interface CheckAccessInput {
  principalId?: string;
  action?: string;
  dataAction?: string;
}

/**
 * `POST {scope}/providers/Microsoft.Authorization/checkAccess` (Keyless extension). Asking about yourself needs
 * nothing; asking about someone else needs `roleAssignments/read` at the scope, as listing their assignments would.
 */
export async function checkAccess(deps: AccessDeps, caller: ArmCaller, scopeText: string, body: unknown) {
  const scope = checkScope(scopeText);
  const input = (body ?? {}) as CheckAccessInput;
  const text = (value: unknown) => (typeof value === "string" && value.trim() !== "" ? value.trim() : undefined);
  const action = text(input.action);
  const dataAction = text(input.dataAction);
  if ((action === undefined) === (dataAction === undefined))
    throw armError("InvalidRequestContent", 'give exactly one of "action" or "dataAction" (a string).');
  if (input.principalId !== undefined && !(typeof input.principalId === "string" && isGuid(input.principalId))) {
    throw armError("InvalidRequestContent", '"principalId" must be an object id (GUID); omit it to check your own access.');
  }
  const principalId = (input.principalId ?? caller.principalId).toLowerCase();
  if (principalId !== caller.principalId.toLowerCase()) await requireAction(deps, caller, READ_ASSIGNMENTS, scope.id);
  const operation = action !== undefined ? { kind: "action" as const, name: action } : { kind: "dataAction" as const, name: dataAction! };
  return deps.checkAccess(principalId, operation, scope.id);
}

/** `GET {scope}/providers/Microsoft.Authorization/denyAssignments`: those at, above and below the scope. */
export async function listDenyAssignments(deps: AccessDeps, caller: ArmCaller, scopeText: string): Promise<DenyAssignmentRecord[]> {
  const scope = checkScope(scopeText);
  await requireAction(deps, caller, READ_DENY, scope.id);
  return (await deps.store.listDenyAssignments()).filter((d) => {
    if (d.tenantId !== caller.tenantId) return false;
    return scopeRelation(d.scope, scope.key) !== "unrelated";
  });
}

export async function getDenyAssignment(deps: AccessDeps, caller: ArmCaller, scopeText: string, id: string): Promise<DenyAssignmentRecord> {
  const found = (await listDenyAssignments(deps, caller, scopeText)).find((d) => d.id === id.toLowerCase());
  if (!found) throw armError("DenyAssignmentNotFound", id);
  return found;
}

export interface DenyAssignmentInput {
  denyAssignmentName: string;
  description?: string;
  permissions: PermissionRecord[];
  principals: { id: string; type: string }[];
  excludePrincipals?: { id: string; type: string }[];
  doNotApplyToChildScopes?: boolean;
}

/**
 * `PUT {scope}/providers/Microsoft.Authorization/denyAssignments/{guid}`: the administrator's path to a deny
 * assignment (Azure's user-assigned deny assignments, 2024-07-01-preview), with that API's restrictions: no group
 * principals, and "everyone" only with at least one excluded principal. Deny assignments cannot be updated.
 */
export async function putDenyAssignment(deps: AccessDeps, caller: ArmCaller, scopeText: string, id: string, input: DenyAssignmentInput) {
  const scope = checkScope(scopeText);
  if (!isGuid(id)) throw armError("InvalidDenyAssignment", `the deny assignment name '${id}' must be a GUID.`);
  await requireAction(deps, caller, WRITE_DENY, scope.id);
  if (input.principals.length === 0) throw armError("InvalidDenyAssignment", "principals must list at least one principal.");
  if (input.principals.some((p) => p.type.toLowerCase() === "group"))
    throw armError("InvalidDenyAssignment", "group principals are not supported; deny each member or use everyone with exclusions.");
  const everyone = input.principals.some((p) => p.id === EVERYONE);
  if (everyone && (input.excludePrincipals ?? []).length === 0)
    throw armError("InvalidDenyAssignment", "denying everyone requires at least one excluded principal.");
  if (input.permissions.length === 0) throw armError("InvalidDenyAssignment", "permissions must list at least one block.");
  checkDenySizes(input);
  // Deny blocks are applied whole: a condition there would be silently ignored, so it is refused.
  if (input.permissions.some((p) => p.condition !== undefined))
    throw armError("InvalidDenyAssignment", "conditions on deny assignment permissions are not supported; remove them.");
  const record: DenyAssignmentRecord = {
    id: id.toLowerCase(),
    tenantId: caller.tenantId,
    denyAssignmentName: input.denyAssignmentName,
    description: input.description ?? "",
    scope: scope.id,
    permissions: input.permissions,
    principals: input.principals,
    excludePrincipals: input.excludePrincipals ?? [],
    doNotApplyToChildScopes: input.doNotApplyToChildScopes ?? false,
    createdOn: nowIso(deps.clock),
  };
  let inserted: boolean;
  try {
    inserted = await deps.store.insertDenyAssignment(record, { max: DENY_ASSIGNMENTS_PER_SUBSCRIPTION });
  } catch (err) {
    if (err instanceof ConflictError)
      throw armError("InvalidDenyAssignment", `deny assignment '${id}' already exists; deny assignments cannot be updated.`);
    throw err;
  }
  if (!inserted) throw armError("DenyAssignmentLimitExceeded", DENY_ASSIGNMENTS_PER_SUBSCRIPTION);
  await deps.policyChanged();
  return record;
}

/** A deny assignment is held in every node's memory, as a custom role: the same bounds on its permissions and text. */
function checkDenySizes(input: DenyAssignmentInput): void {
  checkPermissionSizes(input.permissions, "InvalidDenyAssignment");
  if ((input.description?.length ?? 0) > MAX_DESCRIPTION)
    throw armError("InvalidDenyAssignment", `description may be at most ${MAX_DESCRIPTION} characters.`);
  const principals = [...input.principals, ...(input.excludePrincipals ?? [])];
  const text =
    permissionText(input.permissions) +
    input.denyAssignmentName.length +
    (input.description?.length ?? 0) +
    principals.reduce((n, p) => n + p.id.length + p.type.length, 0);
  if (text > MAX_ROLE_TEXT)
    throw armError(
      "InvalidDenyAssignment",
      `its text (name, description, principals and permissions) may be at most ${MAX_ROLE_TEXT} characters.`,
    );
}

/**
 * `DELETE {scope}/providers/Microsoft.Authorization/denyAssignments/{guid}` (Keyless extension): removes a deny
 * assignment made at exactly that scope; 204 when there is none. Needs `denyAssignments/delete` there, which the
 * no-lock-out rule keeps within reach of an Owner or User Access Administrator above the scope.
 */
export async function deleteDenyAssignment(deps: AccessDeps, caller: ArmCaller, scopeText: string, id: string) {
  const scope = checkScope(scopeText);
  const existing = isGuid(id)
    ? (await deps.store.listDenyAssignments()).find(
        (d) => d.id === id.toLowerCase() && d.tenantId === caller.tenantId && d.scope.toLowerCase() === scope.key,
      )
    : undefined;
  if (!existing) return undefined;
  await requireAction(deps, caller, DELETE_DENY, scope.id);
  await deps.store.deleteDenyAssignment(existing.id, nowIso(deps.clock));
  await deps.policyChanged();
  return existing;
}

export function denyAssignmentJson(d: DenyAssignmentRecord) {
  return {
    properties: {
      denyAssignmentName: d.denyAssignmentName,
      description: d.description,
      permissions: d.permissions,
      scope: d.scope,
      doNotApplyToChildScopes: d.doNotApplyToChildScopes,
      principals: d.principals,
      excludePrincipals: d.excludePrincipals,
      isSystemProtected: false,
    },
    id: `${d.scope === "/" ? "" : d.scope}/providers/Microsoft.Authorization/denyAssignments/${d.id}`,
    type: "Microsoft.Authorization/denyAssignments",
    name: d.id,
  };
}
