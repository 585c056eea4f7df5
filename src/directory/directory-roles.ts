import { ConflictError, InvalidInputError, NotFoundError } from "../core/errors.ts";
import type { DirectoryStore } from "../storage/directory-store.ts";
import { DirectoryRoles } from "./principals.ts";

/** The parts of the directory a write touches; each is open to a different set of directory roles, as in Entra. */
export type DirectoryArea = "users" | "groups" | "applications";

const WRITERS: Record<DirectoryArea, readonly string[]> = {
  users: [DirectoryRoles.globalAdministrator, DirectoryRoles.userAdministrator],
  groups: [DirectoryRoles.globalAdministrator, DirectoryRoles.userAdministrator, DirectoryRoles.groupsAdministrator],
  applications: [DirectoryRoles.globalAdministrator, DirectoryRoles.applicationAdministrator],
};

/** The directory roles Keyless knows, with Entra's template ids, names and descriptions. */
export const directoryRoleCatalog = [
  {
    roleTemplateId: DirectoryRoles.globalAdministrator,
    displayName: "Global Administrator",
    description: "Can manage all aspects of the directory.",
  },
  {
    roleTemplateId: DirectoryRoles.userAdministrator,
    displayName: "User Administrator",
    description: "Can manage all aspects of users and groups, except Global Administrators.",
  },
  {
    roleTemplateId: DirectoryRoles.groupsAdministrator,
    displayName: "Groups Administrator",
    description: "Members of this role can create/manage groups and group membership.",
  },
  {
    roleTemplateId: DirectoryRoles.applicationAdministrator,
    displayName: "Application Administrator",
    description: "Can create and manage all aspects of app registrations and enterprise apps.",
  },
] as const;

/** Directory-role checks and role membership. Reading needs no role: any member of the tenant may read the directory. */
export function directoryRoleChecks(store: DirectoryStore) {
  const rolesOf = (principalId: string) => store.directoryRolesOf(principalId.toLowerCase());
  const knownRole = (roleTemplateId: string) => {
    const role = directoryRoleCatalog.find((r) => r.roleTemplateId === roleTemplateId.toLowerCase());
    if (!role) throw new NotFoundError(roleTemplateId);
    return role;
  };
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
    /** Only Global Administrators hand out directory roles (Entra's Privileged Role Administrator is not modelled). */
    async mayAssignDirectoryRoles(principalId: string): Promise<boolean> {
      return (await rolesOf(principalId)).includes(DirectoryRoles.globalAdministrator);
    },
    directoryRolesOf: rolesOf,
    directoryRole: knownRole,
    listDirectoryRoleDefinitions: () => [...directoryRoleCatalog],
    listDirectoryRoleMembers: (tenantId: string, roleTemplateId: string) =>
      store.listDirectoryRoleMembers(tenantId, knownRole(roleTemplateId).roleTemplateId),
    async addDirectoryRoleMember(tenantId: string, roleTemplateId: string, principalId: string): Promise<void> {
      const role = knownRole(roleTemplateId);
      const user = await store.getUser(principalId);
      const sp = user ? undefined : await store.getServicePrincipal(principalId);
      const principal = user ?? sp;
      if (!principal || principal.tenantId !== tenantId)
        throw new InvalidInputError(
          `'${principalId}' is not a user or service principal of this tenant; only those can hold directory roles.`,
          "members",
        );
      if ((await rolesOf(principalId)).includes(role.roleTemplateId)) {
        throw new ConflictError("One or more added object references already exist for the following modified properties: 'members'.");
      }
      await store.addDirectoryRoleMember(tenantId, role.roleTemplateId, principal.id);
    },
    async removeDirectoryRoleMember(tenantId: string, roleTemplateId: string, principalId: string): Promise<void> {
      const role = knownRole(roleTemplateId);
      const holders = await store.listDirectoryRoleMembers(tenantId, role.roleTemplateId);
      if (role.roleTemplateId === DirectoryRoles.globalAdministrator && holders.length === 1 && holders[0] === principalId.toLowerCase()) {
        throw new InvalidInputError("The last Global Administrator cannot be removed; assign another one first.", "members");
      }
      if (!(await store.removeDirectoryRoleMember(tenantId, role.roleTemplateId, principalId.toLowerCase())))
        throw new NotFoundError(principalId);
    },
  };
}
