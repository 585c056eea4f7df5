import { DirectoryRoles as R } from "./principals.ts";

/**
 * Who may change whose credentials: Entra's "who can reset passwords" table (privileged roles and permissions),
 * for the roles Keyless models. A key is a role the target holds; its value, the caller roles that may reset the
 * password of someone holding it. A target holding several roles needs a caller allowed for every one of them.
 */
const RESETTABLE_BY: Readonly<Record<string, readonly string[]>> = {
  [R.globalAdministrator]: [R.privilegedAuthenticationAdministrator, R.globalAdministrator],
  [R.privilegedAuthenticationAdministrator]: [R.privilegedAuthenticationAdministrator, R.globalAdministrator],
  [R.userAdministrator]: [R.userAdministrator, R.privilegedAuthenticationAdministrator, R.globalAdministrator],
  [R.helpdeskAdministrator]: [R.helpdeskAdministrator, R.userAdministrator, R.privilegedAuthenticationAdministrator, R.globalAdministrator],
  [R.passwordAdministrator]: [
    R.passwordAdministrator,
    R.helpdeskAdministrator,
    R.userAdministrator,
    R.privilegedAuthenticationAdministrator,
    R.globalAdministrator,
  ],
  [R.groupsAdministrator]: [R.userAdministrator, R.privilegedAuthenticationAdministrator, R.globalAdministrator],
};

/** A user with no administrator role: every role that resets passwords at all. */
const NO_ADMIN_ROLE = RESETTABLE_BY[R.passwordAdministrator]!;
/** Every role the table does not name (Application and Cloud Application Administrator among them): the top tier. */
const ANY_OTHER_ROLE = [R.privilegedAuthenticationAdministrator, R.globalAdministrator];

/** Entra's "sensitive actions" (disable, delete) are open to fewer roles than password resets. */
const SENSITIVE_ACTORS: readonly string[] = [R.userAdministrator, R.privilegedAuthenticationAdministrator, R.globalAdministrator];

/** Whether a caller holding `callerRoles` may reset the password (or change the credentials) of a target holding `targetRoles`. */
export function mayResetCredentials(callerRoles: readonly string[], targetRoles: readonly string[]): boolean {
  if (targetRoles.length === 0) return callerRoles.some((r) => NO_ADMIN_ROLE.includes(r));
  return targetRoles.every((target) => {
    const allowed = RESETTABLE_BY[target] ?? ANY_OTHER_ROLE;
    return callerRoles.some((r) => allowed.includes(r));
  });
}

/** Disabling or deleting a user: the reset table, restricted to the roles that may take sensitive actions at all. */
export function mayTakeSensitiveAction(callerRoles: readonly string[], targetRoles: readonly string[]): boolean {
  return mayResetCredentials(
    callerRoles.filter((r) => SENSITIVE_ACTORS.includes(r)),
    targetRoles,
  );
}
