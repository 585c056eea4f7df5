import { type Clock, nowIso } from "../core/clock.ts";
import { ConflictError } from "../core/errors.ts";
import { isGuid } from "../core/ids.ts";
import { parseScope, type Scope, scopeRelation } from "../core/scope.ts";
import type { RbacStore } from "../storage/rbac-store.ts";
import type { PermissionRecord, RoleDefinitionRecord } from "../storage/records.ts";
import type { ArmCaller } from "./arm-caller.ts";
import { type ActionCheck, requireAction } from "./arm-caller.ts";
import { armError } from "./arm-errors.ts";

/** A role definition as ARM shows it, built-in or custom (the authz catalog is injected: arm never imports authz). */
interface RoleDefinitionView {
  id: string;
  roleName: string;
  roleType: "BuiltInRole" | "CustomRole";
  description: string;
  assignableScopes: readonly string[];
  permissions: readonly PermissionRecord[];
  createdOn?: string;
  updatedOn?: string;
  createdBy?: string | null;
  updatedBy?: string | null;
}

export interface RoleDefinitionDeps extends ActionCheck {
  store: RbacStore;
  clock: Clock;
  builtInRoles: readonly RoleDefinitionView[];
  /** Why a condition cannot be evaluated (authz's condition language), or undefined when it can. */
  conditionProblem(condition: string): string | undefined;
  /** Makes a change effective on this node before the write returns. */
  policyChanged(): Promise<void>;
  /** Custom roles one tenant may hold (setting `customRolesPerTenant`, Azure's 5,000). */
  customRolesPerTenant: number;
}

const WRITE = "Microsoft.Authorization/roleDefinitions/write";
const DELETE = "Microsoft.Authorization/roleDefinitions/delete";
const MAX_NAME = 512;
export const MAX_DESCRIPTION = 2048;
const MAX_SCOPES = 2000;
/**
 * Every node holds every custom role and deny assignment in memory, so their permissions are bounded: blocks, the
 * entries of each list, the characters of an entry (Azure's longest operation names are under 200), and the text of
 * a whole role (names, description, scopes, entries and conditions), which with `customRolesPerTenant` bounds what a
 * tenant's roles can cost a node.
 */
const MAX_PERMISSION_BLOCKS = 16;
const MAX_PERMISSION_ENTRIES = 1000;
const MAX_PERMISSION_ENTRY_LENGTH = 512;
export const MAX_ROLE_TEXT = 64 * 1024;

function customRoleView(r: RoleDefinitionRecord): RoleDefinitionView {
  return {
    id: r.id,
    roleName: r.roleName,
    roleType: "CustomRole",
    description: r.description,
    assignableScopes: r.assignableScopes,
    permissions: r.permissions,
    createdOn: r.createdOn,
    updatedOn: r.updatedOn,
    createdBy: r.createdBy,
    updatedBy: r.updatedBy,
  };
}

/** A built-in role, or a custom role of the tenant, by GUID. */
export async function findRoleDefinition(
  deps: Pick<RoleDefinitionDeps, "store" | "builtInRoles">,
  guid: string,
): Promise<RoleDefinitionView | undefined> {
  const key = guid.toLowerCase();
  const builtIn = deps.builtInRoles.find((r) => r.id.toLowerCase() === key);
  if (builtIn) return builtIn;
  const custom = await deps.store.getRoleDefinition(key);
  return custom && customRoleView(custom);
}

/** Whether a role may be assigned at `scope`: one of its assignable scopes is the scope or above it. */
export function assignableAt(role: Pick<RoleDefinitionView, "assignableScopes">, scope: string): boolean {
  return role.assignableScopes.some((s) => {
    const where = scopeRelation(s, scope);
    return where === "at" || where === "above";
  });
}

type Filter = { kind: "all" } | { kind: "roleName"; value: string } | { kind: "type"; value: "BuiltInRole" | "CustomRole" };

function parseFilter(raw: string | undefined): Filter {
  if (raw === undefined || raw.trim() === "") return { kind: "all" };
  const match = /^\s*(roleName|type)\s+eq\s+'((?:[^']|'')*)'\s*$/i.exec(raw);
  if (match) {
    const value = match[2]!.replace(/''/g, "'");
    if (match[1]!.toLowerCase() === "rolename") return { kind: "roleName", value };
    if (value === "BuiltInRole" || value === "CustomRole") return { kind: "type", value };
  }
  throw armError(
    "InvalidFilter",
    `'${raw}' is not supported. Supported filters: roleName eq '{name}', type eq 'BuiltInRole', type eq 'CustomRole'.`,
  );
}

/**
 * `GET {scope}/providers/Microsoft.Authorization/roleDefinitions`: every built-in role (assignable everywhere, as
 * ARM returns them at any scope, which `az role assignment create` relies on) plus the custom roles assignable at
 * the scope.
 */
export async function listRoleDefinitions(
  deps: RoleDefinitionDeps,
  caller: ArmCaller,
  scopeText: string,
  filterText: string | undefined,
): Promise<RoleDefinitionView[]> {
  const scope = checkScope(scopeText, true);
  const filter = parseFilter(filterText);
  const customs = (await deps.store.listRoleDefinitions()).filter((r) => r.tenantId === caller.tenantId).map(customRoleView);
  const all = [...deps.builtInRoles, ...customs.filter((r) => scope.kind === "root" || assignableAt(r, scope.id))];
  return all.filter((r) => {
    if (filter.kind === "roleName") return r.roleName.toLowerCase() === filter.value.toLowerCase();
    if (filter.kind === "type") return r.roleType === filter.value;
    return true;
  });
}

/** Reading role definitions needs only a valid token (the route authenticates): ARM lets every principal read them. */
export async function getRoleDefinition(deps: RoleDefinitionDeps, scopeText: string, guid: string): Promise<RoleDefinitionView> {
  checkScope(scopeText, true);
  const role = isGuid(guid) ? await findRoleDefinition(deps, guid) : undefined;
  if (!role) throw armError("RoleDefinitionNotFound", guid);
  return role;
}

export interface RoleDefinitionInput {
  roleName: string;
  description: string;
  assignableScopes: string[];
  permissions: PermissionRecord[];
}

/** `PUT …/roleDefinitions/{guid}`: creates a custom role, or updates one keeping its id and creation stamp. */
export async function putRoleDefinition(
  deps: RoleDefinitionDeps,
  caller: ArmCaller,
  scopeText: string,
  guid: string,
  input: RoleDefinitionInput,
) {
  const scope = checkScope(scopeText, false);
  if (!isGuid(guid)) throw armError("InvalidRoleDefinition", `the role definition name '${guid}' must be a GUID.`);
  if (deps.builtInRoles.some((r) => r.id.toLowerCase() === guid.toLowerCase())) throw armError("BuiltInRoleCannotBeModified", guid);
  const assignableScopes = checkAssignableScopes(input);
  checkPermissionSizes(input.permissions, "InvalidRoleDefinition");
  const text = permissionText(input.permissions) + input.roleName.length + input.description.length;
  const scopesText = assignableScopes.reduce((n, scope) => n + scope.length, 0);
  if (text + scopesText > MAX_ROLE_TEXT)
    throw armError(
      "InvalidRoleDefinition",
      `the role's text (names, description, scopes and permissions) may be at most ${MAX_ROLE_TEXT} characters.`,
    );
  checkPermissionConditions(deps, input.permissions);
  // A custom "Reader" would make `--role Reader` ambiguous: built-in names are taken, whatever their case.
  const builtInNamesake = deps.builtInRoles.find((r) => r.roleName.toLowerCase() === input.roleName.trim().toLowerCase());
  if (builtInNamesake) throw armError("RoleDefinitionWithSameNameExists", builtInNamesake.roleName, "built-in");
  const existing = await deps.store.getRoleDefinition(guid);
  if (existing && existing.tenantId !== caller.tenantId) throw armError("RoleDefinitionNotFound", guid);
  await requireOnScopes(deps, caller, WRITE, scope.id, [...assignableScopes, ...(existing?.assignableScopes ?? [])]);
  const now = nowIso(deps.clock);
  const record: RoleDefinitionRecord = {
    id: guid.toLowerCase(),
    tenantId: caller.tenantId,
    roleName: input.roleName.trim(),
    description: input.description,
    assignableScopes,
    permissions: input.permissions,
    createdOn: existing?.createdOn ?? now,
    createdBy: existing?.createdBy ?? caller.principalId,
    updatedOn: now,
    updatedBy: caller.principalId,
  };
  let saved: boolean;
  try {
    saved = await deps.store.saveRoleDefinition(record, { maxPerTenant: deps.customRolesPerTenant });
  } catch (err) {
    if (err instanceof ConflictError) throw armError("RoleDefinitionWithSameNameExists", record.roleName);
    throw err;
  }
  if (!saved) throw armError("RoleDefinitionLimitExceeded", deps.customRolesPerTenant);
  await deps.policyChanged();
  return { created: !existing, role: customRoleView(record) };
}

/** `DELETE …/roleDefinitions/{guid}`: refused while any assignment references the role; 204 when already gone. */
export async function deleteRoleDefinition(
  deps: RoleDefinitionDeps,
  caller: ArmCaller,
  scopeText: string,
  guid: string,
): Promise<RoleDefinitionView | undefined> {
  const scope = checkScope(scopeText, true);
  if (!isGuid(guid)) return undefined;
  if (deps.builtInRoles.some((r) => r.id.toLowerCase() === guid.toLowerCase())) throw armError("BuiltInRoleCannotBeModified", guid);
  const existing = await deps.store.getRoleDefinition(guid);
  if (!existing || existing.tenantId !== caller.tenantId) return undefined;
  await requireOnScopes(deps, caller, DELETE, scope.kind === "root" ? existing.assignableScopes[0]! : scope.id, existing.assignableScopes);
  // The check and the delete are one step: an assignment created meanwhile keeps the role.
  const { deleted, assignments } = await deps.store.deleteRoleDefinition(existing.id, nowIso(deps.clock));
  if (assignments > 0) throw armError("RoleDefinitionHasAssignments", assignments);
  if (!deleted) return undefined;
  await deps.policyChanged();
  return customRoleView(existing);
}

/**
 * The ARM JSON of a role definition. Read through a scope inside a subscription, the id is qualified with that
 * subscription (the form the CLI shows and sends back as an assignment's `roleDefinitionId`); otherwise tenant-level.
 */
export function roleDefinitionJson(role: RoleDefinitionView, scopeText: string) {
  const scope = parseScope(scopeText);
  const sub = scope && "subscriptionId" in scope ? `/subscriptions/${scope.subscriptionId}` : "";
  return {
    properties: {
      roleName: role.roleName,
      type: role.roleType,
      description: role.description,
      assignableScopes: role.assignableScopes,
      permissions: role.permissions.map((p) => ({
        actions: p.actions,
        notActions: p.notActions,
        dataActions: p.dataActions,
        notDataActions: p.notDataActions,
        ...(p.condition !== undefined ? { condition: p.condition, conditionVersion: p.conditionVersion ?? "2.0" } : {}),
      })),
      createdOn: role.createdOn ?? null,
      updatedOn: role.updatedOn ?? null,
      createdBy: role.createdBy ?? null,
      updatedBy: role.updatedBy ?? null,
    },
    id: `${sub}/providers/Microsoft.Authorization/roleDefinitions/${role.id}`,
    type: "Microsoft.Authorization/roleDefinitions",
    name: role.id,
  };
}

function checkScope(scopeText: string, allowRoot: boolean): Scope {
  const scope = parseScope(scopeText);
  if (!scope || (!allowRoot && scope.kind === "root")) throw armError("InvalidScope", scopeText || "/");
  return scope;
}

/** ARM's custom-role rules on assignable scopes; returns them normalised. */
function checkAssignableScopes(input: RoleDefinitionInput): string[] {
  if (input.assignableScopes.length === 0) throw armError("InvalidRoleDefinition", "assignableScopes must list at least one scope.");
  if (input.assignableScopes.length > MAX_SCOPES)
    throw armError("InvalidRoleDefinition", `assignableScopes may list at most ${MAX_SCOPES} scopes.`);
  const scopes: Scope[] = [];
  for (const raw of input.assignableScopes) {
    const scope = raw.includes("*") ? undefined : parseScope(raw);
    if (!scope || scope.kind === "root") throw armError("InvalidAssignableScope", raw);
    scopes.push(scope);
  }
  const managementGroups = scopes.filter((s) => s.kind === "managementGroup");
  if (managementGroups.length > 1) throw armError("InvalidRoleDefinition", "assignableScopes may include only one management group.");
  const hasDataActions = input.permissions.some((p) => p.dataActions.length > 0 || p.notDataActions.length > 0);
  if (managementGroups.length > 0 && hasDataActions) throw armError("DataActionsNotAllowedWithManagementGroupScope");
  if (input.roleName.trim() === "" || input.roleName.length > MAX_NAME)
    throw armError("InvalidRoleDefinition", `roleName is required and at most ${MAX_NAME} characters.`);
  if (input.description.length > MAX_DESCRIPTION)
    throw armError("InvalidRoleDefinition", `description may be at most ${MAX_DESCRIPTION} characters.`);
  return [...new Map(scopes.map((s) => [s.key, s.id])).values()];
}

/**
 * The bounds on permission blocks every node keeps in memory (custom roles' and deny assignments'): at most
 * `MAX_PERMISSION_BLOCKS` blocks, `MAX_PERMISSION_ENTRIES` entries in each list, `MAX_PERMISSION_ENTRY_LENGTH`
 * characters in each entry; refused with `code` (400).
 */
export function checkPermissionSizes(
  permissions: readonly PermissionRecord[],
  code: "InvalidRoleDefinition" | "InvalidDenyAssignment",
): void {
  if (permissions.length > MAX_PERMISSION_BLOCKS) throw armError(code, `permissions may list at most ${MAX_PERMISSION_BLOCKS} blocks.`);
  for (const [i, block] of permissions.entries()) {
    for (const list of ["actions", "notActions", "dataActions", "notDataActions"] as const) {
      const entries = block[list];
      if (entries.length > MAX_PERMISSION_ENTRIES)
        throw armError(code, `permissions[${i}].${list} may list at most ${MAX_PERMISSION_ENTRIES} entries.`);
      if (entries.some((entry) => entry.length > MAX_PERMISSION_ENTRY_LENGTH))
        throw armError(code, `permissions[${i}].${list} entries may be at most ${MAX_PERMISSION_ENTRY_LENGTH} characters.`);
    }
  }
}

/** Characters of permission blocks' entries and conditions, towards `MAX_ROLE_TEXT`. */
export function permissionText(permissions: readonly PermissionRecord[]): number {
  let n = 0;
  for (const block of permissions) {
    for (const list of [block.actions, block.notActions, block.dataActions, block.notDataActions])
      for (const entry of list) n += entry.length;
    n += block.condition?.length ?? 0;
  }
  return n;
}

/** A permission block's condition must be one Keyless evaluates, version "2.0"; never stored unevaluable. */
function checkPermissionConditions(deps: RoleDefinitionDeps, permissions: readonly PermissionRecord[]): void {
  for (const [i, block] of permissions.entries()) {
    if (block.condition === undefined) continue;
    if ((block.conditionVersion ?? "2.0") !== "2.0")
      throw armError("InvalidCondition", `permissions[${i}].conditionVersion '${block.conditionVersion}' is not supported; use "2.0".`);
    const problem = deps.conditionProblem(block.condition);
    if (problem !== undefined) throw armError("InvalidCondition", `permissions[${i}].condition: ${problem}.`);
  }
}

/** `action` is needed at the request scope and at every linked (assignable) scope. */
async function requireOnScopes(
  deps: RoleDefinitionDeps,
  caller: ArmCaller,
  action: string,
  scope: string,
  linked: readonly string[],
): Promise<void> {
  await requireAction(deps, caller, action, scope);
  const missing: string[] = [];
  for (const s of linked) if (!(await deps.authorize(caller, action, s))) missing.push(s);
  if (missing.length > 0)
    throw armError("LinkedAuthorizationFailed", caller.clientName, caller.principalId, action, scope, missing.join("','"));
}
