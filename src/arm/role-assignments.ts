import { type Clock, nowIso } from "../core/clock.ts";
import { ConflictError, NotFoundError } from "../core/errors.ts";
import { isGuid } from "../core/ids.ts";
import { parseScope } from "../core/scope.ts";
import type { ActivityRecord } from "../storage/activity-store.ts";
import type { Change } from "../storage/change-feed.ts";
import type { RbacStore } from "../storage/rbac-store.ts";
import type { RoleAssignmentRecord } from "../storage/records.ts";
import type { ArmCaller } from "./arm-caller.ts";
import { type ActionCheck, requireAction } from "./arm-caller.ts";
import { armError } from "./arm-errors.ts";
import { assignableAt } from "./role-definitions.ts";

/** Azure's fixed limit of role assignments per subscription (subscription, resource group and resource scopes). */
export const ASSIGNMENTS_PER_SUBSCRIPTION = 4000;
/**
 * Longest description, as a custom role's: without a bound, 1,000 assignments of 1 MB each (any Owner of a resource
 * group can write them) made every list of the subscription's assignments a gigabyte, past what a response can hold.
 */
const MAX_DESCRIPTION = 2048;

export interface RoleAssignmentDeps extends ActionCheck {
  store: RbacStore;
  clock: Clock;
  /** A built-in or custom role by GUID, with where it may be assigned. */
  findRole(
    roleGuid: string,
  ): Promise<{ roleName: string; roleType: "BuiltInRole" | "CustomRole"; assignableScopes: readonly string[] } | undefined>;
  /** The caller's transitive groups, for `assignedTo()`. */
  groupsOf(principalId: string): readonly string[];
  findPrincipalType(principalId: string): Promise<"User" | "ServicePrincipal" | "Group" | undefined>;
  /** Why a condition cannot be evaluated (authz's condition language), or undefined when it can. */
  conditionProblem(condition: string): string | undefined;
  /** Makes a change effective on this node before the write returns; `applied` is the change this write recorded. */
  policyChanged(applied?: Change): Promise<void>;
}

/**
 * The activity-log entry of a write, for a store that records it in the write's own transaction. `entry` is the
 * record with the status the write answers, undefined when the call is not logged. `recorded` says the store
 * committed it: the surface then records no other entry for the call, whatever happens after (this node failing to
 * make the change current answers an error, but the write stands and its entry says so).
 */
export interface InTransactionActivity {
  entry(statusCode: number): ActivityRecord | undefined;
  recorded(): void;
}

export interface RoleAssignmentInput {
  roleDefinitionId: string;
  principalId: string;
  principalType?: string;
  description?: string | null;
  condition?: string | null;
  conditionVersion?: string | null;
}

const WRITE = "Microsoft.Authorization/roleAssignments/write";
const DELETE = "Microsoft.Authorization/roleAssignments/delete";
const READ = "Microsoft.Authorization/roleAssignments/read";

/** `PUT {scope}/providers/Microsoft.Authorization/roleAssignments/{name}` as a pipeline of named steps. */
export async function putRoleAssignment(
  deps: RoleAssignmentDeps,
  caller: ArmCaller,
  scopeText: string,
  name: string,
  input: RoleAssignmentInput,
  activity?: InTransactionActivity,
) {
  const scope = checkScope(scopeText);
  if (!isGuid(name)) throw armError("InvalidRoleAssignmentId", name);
  const roleGuid = roleGuidOf(input.roleDefinitionId);
  const role = roleGuid ? await deps.findRole(roleGuid) : undefined;
  if (!roleGuid || !role) throw armError("RoleDefinitionDoesNotExist", input.roleDefinitionId);
  if (!assignableAt(role, scope)) throw armError("RoleNotAssignableAtScope", role.roleName, scope);
  if ((input.description?.length ?? 0) > MAX_DESCRIPTION)
    throw armError("InvalidRequestContent", `properties.description may be at most ${MAX_DESCRIPTION} characters.`);
  const condition = checkCondition(deps, input);
  const assignmentId = `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`;
  // Delegation conditions on the caller's assignments read the role, principal and principal type being assigned.
  // The existing assignment is read beside it (one round trip, not two), and used only once the write is authorized.
  const [principalType, existing] = await Promise.all([deps.findPrincipalType(input.principalId), deps.store.getRoleAssignment(name)]);
  const attributes = {
    roleDefinitionId: roleGuid,
    principalId: input.principalId.toLowerCase(),
    ...(principalType ? { principalType } : {}),
  };
  await requireAction(deps, caller, WRITE, scope, attributes, assignmentId);
  if (existing) return { created: false, record: await updateInPlace(deps, caller, existing, scope, roleGuid, input, condition) };
  if (!principalType) throw armError("PrincipalNotFound", input.principalId, caller.tenantId);
  const now = nowIso(deps.clock);
  const record: RoleAssignmentRecord = {
    id: name.toLowerCase(),
    tenantId: caller.tenantId,
    scope,
    roleDefinitionId: roleGuid,
    principalId: input.principalId.toLowerCase(),
    principalType,
    description: input.description ?? null,
    condition: condition?.text ?? null,
    conditionVersion: condition?.version ?? null,
    createdOn: now,
    createdBy: caller.principalId,
    updatedOn: now,
    updatedBy: caller.principalId,
  };
  // Azure's per-subscription limit is checked in the insert's transaction, after it took the change feed's turn:
  // two nodes creating the last allowed assignment at once cannot both succeed.
  const subscriptionId = subscriptionOf(scope);
  const entry = activity?.entry(201);
  let change: Change | undefined;
  try {
    change = await deps.store.insertRoleAssignment(record, {
      ...(subscriptionId ? { limit: { subscriptionId, max: ASSIGNMENTS_PER_SUBSCRIPTION } } : {}),
      ...(entry ? { activity: entry } : {}),
      // A custom role may be deleted after it was read above: the insert checks again, atomically with the write.
      customRole: role.roleType === "CustomRole",
    });
  } catch (err) {
    if (err instanceof NotFoundError) throw armError("RoleDefinitionDoesNotExist", input.roleDefinitionId);
    if (!(err instanceof ConflictError)) throw err;
    const duplicate = await deps.store.findRoleAssignment(record.principalId, roleGuid, scope);
    throw armError(
      "RoleAssignmentExists",
      duplicate ? `${duplicate.scope}/providers/Microsoft.Authorization/roleAssignments/${duplicate.id}` : name,
    );
  }
  if (!change) throw armError("RoleAssignmentLimitExceeded", ASSIGNMENTS_PER_SUBSCRIPTION);
  if (entry) activity?.recorded();
  await deps.policyChanged(change);
  return { created: true, record };
}

export async function deleteRoleAssignment(
  deps: RoleAssignmentDeps,
  caller: ArmCaller,
  scopeText: string,
  name: string,
  activity?: InTransactionActivity,
) {
  const scope = checkScope(scopeText);
  const existing = isGuid(name) ? await deps.store.getRoleAssignment(name) : undefined;
  if (!existing || existing.scope.toLowerCase() !== scope.toLowerCase()) return { deleted: undefined };
  const attributes = {
    roleDefinitionId: existing.roleDefinitionId,
    principalId: existing.principalId,
    principalType: existing.principalType,
  };
  await requireAction(deps, caller, DELETE, scope, attributes, `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`);
  const entry = activity?.entry(200);
  // Only the assignment as authorized: one of the same name that another call put meanwhile at another scope, or
  // with another role or principal, is not this caller's to delete.
  const change = await deps.store.deleteRoleAssignment(existing, nowIso(deps.clock), entry ? { activity: entry } : {});
  // Deleted meanwhile by another call: that call answered and logged it; this one still answers with what it read,
  // and the surface logs it.
  if (change && entry) activity?.recorded();
  await deps.policyChanged(change);
  return { deleted: existing };
}

export async function getRoleAssignment(deps: RoleAssignmentDeps, caller: ArmCaller, scopeText: string, name: string) {
  const scope = checkScope(scopeText);
  await requireAction(deps, caller, READ, scope);
  const existing = isGuid(name) ? await deps.store.getRoleAssignment(name) : undefined;
  if (!existing || existing.scope.toLowerCase() !== scope.toLowerCase()) throw armError("RoleAssignmentNotFound", name);
  return existing;
}

/** The ARM JSON of an assignment; `roleDefinitionId` in the subscription-qualified form the CLI shows. */
export function roleAssignmentJson(r: RoleAssignmentRecord) {
  const parsed = parseScope(r.scope);
  const sub = parsed && parsed.kind !== "root" && parsed.kind !== "managementGroup" ? `/subscriptions/${parsed.subscriptionId}` : "";
  return {
    properties: {
      roleDefinitionId: `${sub}/providers/Microsoft.Authorization/roleDefinitions/${r.roleDefinitionId}`,
      principalId: r.principalId,
      principalType: r.principalType,
      scope: r.scope,
      condition: r.condition,
      conditionVersion: r.conditionVersion,
      description: r.description,
      createdOn: r.createdOn,
      updatedOn: r.updatedOn,
      createdBy: r.createdBy,
      updatedBy: r.updatedBy,
      delegatedManagedIdentityResourceId: null,
    },
    id: `${r.scope}/providers/Microsoft.Authorization/roleAssignments/${r.id}`,
    type: "Microsoft.Authorization/roleAssignments",
    name: r.id,
  };
}

function subscriptionOf(scope: string): string | undefined {
  const parsed = parseScope(scope);
  return parsed && "subscriptionId" in parsed ? parsed.subscriptionId : undefined;
}

function checkScope(scopeText: string): string {
  const scope = parseScope(scopeText);
  if (!scope || scope.kind === "root") throw armError("InvalidScope", scopeText);
  return scope.id;
}

function roleGuidOf(roleDefinitionId: string): string | undefined {
  const guid = roleDefinitionId.split("/").pop() ?? "";
  return isGuid(guid) ? guid.toLowerCase() : undefined;
}

/**
 * A condition Keyless can evaluate, with its version ("2.0", the default and the only one Azure accepts), or
 * undefined for none. Anything else is refused: a condition silently dropped would grant more than was meant.
 */
function checkCondition(deps: RoleAssignmentDeps, input: RoleAssignmentInput): { text: string; version: string } | undefined {
  const text = input.condition ?? undefined;
  const version = input.conditionVersion ?? undefined;
  if (text === undefined || text.trim() === "") {
    if (version !== undefined) throw armError("InvalidCondition", "conditionVersion is set but condition is empty; give both or neither.");
    return undefined;
  }
  if (version !== undefined && version.trim() !== "2.0")
    throw armError("InvalidCondition", `conditionVersion '${version}' is not supported; use "2.0".`);
  const problem = deps.conditionProblem(text);
  if (problem !== undefined) throw armError("InvalidCondition", `${problem}.`);
  return { text, version: "2.0" };
}

/**
 * A PUT on an existing assignment: scope, role and principal are fixed; the condition and description may change
 * (as `az role assignment update` does), already authorized as a write of this very assignment.
 */
async function updateInPlace(
  deps: RoleAssignmentDeps,
  caller: ArmCaller,
  existing: RoleAssignmentRecord,
  scope: string,
  roleGuid: string,
  input: RoleAssignmentInput,
  condition: { text: string; version: string } | undefined,
): Promise<RoleAssignmentRecord> {
  const same =
    existing.scope.toLowerCase() === scope.toLowerCase() &&
    existing.roleDefinitionId === roleGuid &&
    existing.principalId === input.principalId.toLowerCase();
  if (!same) throw armError("RoleAssignmentUpdateNotPermitted");
  const description = input.description === undefined ? existing.description : input.description;
  if ((existing.condition ?? undefined) === condition?.text && existing.description === description) return existing;
  const updated: RoleAssignmentRecord = {
    ...existing,
    condition: condition?.text ?? null,
    conditionVersion: condition?.version ?? null,
    description,
    updatedOn: nowIso(deps.clock),
    updatedBy: caller.principalId,
  };
  // Deleted since it was read (another request): nothing to update, and its revoke must stand.
  if (!(await deps.store.updateRoleAssignment(updated))) throw armError("RoleAssignmentNotFound", existing.id);
  await deps.policyChanged();
  return updated;
}
