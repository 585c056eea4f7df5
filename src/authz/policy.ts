import { InvalidInputError } from "../core/errors.ts";
import { builtInRoles } from "./builtin-roles.ts";
import { type Membership, transitiveGroups } from "./memberships.ts";
import type { DenyAssignment, Policy, RoleAssignment, RoleDefinition } from "./types.ts";

/** What a caller (storage, a fixture) knows; built-in roles are implied, only custom roles are listed. */
interface PolicyInput {
  customRoles?: readonly RoleDefinition[];
  roleAssignments?: readonly RoleAssignment[];
  denyAssignments?: readonly DenyAssignment[];
  /** Direct group memberships; the snapshot holds their transitive closure. */
  memberships?: readonly Membership[];
}

/**
 * Builds a policy snapshot: built-in roles always present, custom roles added by lower-case GUID. A custom role
 * that reuses a GUID is rejected: role GUIDs are unique per tenant, and silently shadowing a built-in role would
 * change what every assignment of it grants.
 */
export function createPolicy(input: PolicyInput): Policy {
  const roleDefinitions = new Map<string, RoleDefinition>();
  for (const role of [...builtInRoles, ...(input.customRoles ?? [])]) {
    const key = role.id.toLowerCase();
    if (roleDefinitions.has(key)) {
      throw new InvalidInputError(`Role definition id ${role.id} is defined more than once.`, "roleDefinitions");
    }
    roleDefinitions.set(key, role);
  }
  return {
    roleDefinitions,
    roleAssignments: input.roleAssignments ?? [],
    denyAssignments: input.denyAssignments ?? [],
    groupsOf: transitiveGroups(input.memberships ?? []),
  };
}
