import {
  COGNITIVE_SERVICES_CONTRIBUTOR_ID,
  COGNITIVE_SERVICES_OPENAI_USER_ID,
  COGNITIVE_SERVICES_USER_ID,
  cognitiveRoles,
} from "./builtin-roles-cognitive.ts";
import { FOUNDRY_USER_ID, foundryRoles } from "./builtin-roles-foundry.ts";
import { CONTRIBUTOR_ID, generalRoles, OWNER_ID, READER_ID } from "./builtin-roles-general.ts";
import type { RoleDefinition } from "./types.ts";

/**
 * The built-in role catalog: the same GUIDs, names, descriptions and permissions in every tenant, so clients
 * that hard-code a GUID (bicep, Terraform, `az role assignment create --role <guid>`) work unchanged.
 */

/** GUIDs callers name most often (route tables, bootstrap, error hints). */
export const BuiltInRoleIds = Object.freeze({
  OWNER: OWNER_ID,
  CONTRIBUTOR: CONTRIBUTOR_ID,
  READER: READER_ID,
  COGNITIVE_SERVICES_USER: COGNITIVE_SERVICES_USER_ID,
  COGNITIVE_SERVICES_CONTRIBUTOR: COGNITIVE_SERVICES_CONTRIBUTOR_ID,
  COGNITIVE_SERVICES_OPENAI_USER: COGNITIVE_SERVICES_OPENAI_USER_ID,
  FOUNDRY_USER: FOUNDRY_USER_ID,
});

/** Frozen all the way down: the catalog is shared by every policy snapshot and must not drift at run time. */
function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

export const builtInRoles: readonly RoleDefinition[] = deepFreeze([...generalRoles, ...cognitiveRoles, ...foundryRoles]);

const byId = new Map(builtInRoles.map((role) => [role.id.toLowerCase(), role]));
const byName = new Map(builtInRoles.map((role) => [role.roleName.toLowerCase(), role]));

/**
 * Names the renamed Foundry roles had before 2025-26 (and the account-owner role's announced new name):
 * scripts and docs still use both during the rollout, and Azure resolves either.
 */
const formerNames: ReadonlyMap<string, string> = new Map([
  ["azure ai user", "foundry user"],
  ["azure ai project manager", "foundry project manager"],
  ["azure ai owner", "foundry owner"],
  ["foundry account owner", "azure ai account owner"],
]);

/** The built-in role with this GUID (case-insensitive), if any. */
export function builtInRoleById(id: string): RoleDefinition | undefined {
  return byId.get(id.toLowerCase());
}

/** The built-in role with this name, case-insensitive; former Foundry names resolve to the current role. */
export function builtInRoleByName(name: string): RoleDefinition | undefined {
  const key = name.trim().toLowerCase();
  return byName.get(formerNames.get(key) ?? key);
}
