import type { DirectoryStore } from "../storage/directory-store.ts";
import { DirectoryRoles } from "./principals.ts";

/** The parts of the directory a write touches; each is open to a different set of directory roles, as in Entra. */
export type DirectoryArea = "users" | "groups" | "applications";

const WRITERS: Record<DirectoryArea, readonly string[]> = {
  users: [DirectoryRoles.globalAdministrator, DirectoryRoles.userAdministrator],
  groups: [DirectoryRoles.globalAdministrator, DirectoryRoles.userAdministrator, DirectoryRoles.groupsAdministrator],
  applications: [DirectoryRoles.globalAdministrator, DirectoryRoles.applicationAdministrator],
};

/** Directory-role checks. Reading needs no role: any member of the tenant may read the directory. */
export function directoryRoleChecks(store: DirectoryStore) {
  const rolesOf = (principalId: string) => store.directoryRolesOf(principalId.toLowerCase());
  return {
    async mayWrite(principalId: string, area: DirectoryArea): Promise<boolean> {
      const roles = await rolesOf(principalId);
      return roles.some((r) => WRITERS[area].includes(r));
    },
    /** Group owners manage their own group's members and properties, as in Entra. */
    async mayManageGroup(principalId: string, groupId: string): Promise<boolean> {
      const roles = await rolesOf(principalId);
      return roles.some((r) => WRITERS.groups.includes(r)) || (await store.isGroupOwner(groupId.toLowerCase(), principalId.toLowerCase()));
    },
    /**
     * Only a Global Administrator may change or delete another Global Administrator; a User Administrator
     * may not take over a more privileged account.
     */
    async mayChangeUser(principalId: string, targetUserId: string): Promise<boolean> {
      const [caller, target] = await Promise.all([rolesOf(principalId), rolesOf(targetUserId)]);
      if (caller.includes(DirectoryRoles.globalAdministrator)) return true;
      if (!caller.includes(DirectoryRoles.userAdministrator)) return false;
      return !target.includes(DirectoryRoles.globalAdministrator);
    },
    directoryRolesOf: rolesOf,
  };
}
