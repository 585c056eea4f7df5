import { ConflictError, InvalidInputError, NotFoundError } from "../core/errors.ts";
import type { DirectoryStore } from "../storage/directory-store.ts";
import { mayResetCredentials, mayTakeSensitiveAction } from "./credential-tiers.ts";
import { DirectoryRoles } from "./principals.ts";

/** The parts of the directory a write touches; each is open to a different set of directory roles, as in Entra. */
type DirectoryArea = "users" | "groups" | "applications";

/** What a change to a user touches: its profile, its password, or a sensitive property (enabled, existence). */
type UserChange = "profile" | "password" | "sensitive";

const WRITERS: Record<DirectoryArea, readonly string[]> = {
  users: [DirectoryRoles.globalAdministrator, DirectoryRoles.userAdministrator],
  groups: [DirectoryRoles.globalAdministrator, DirectoryRoles.userAdministrator, DirectoryRoles.groupsAdministrator],
  applications: [DirectoryRoles.globalAdministrator, DirectoryRoles.applicationAdministrator, DirectoryRoles.cloudApplicationAdministrator],
};

/** The directory roles Keyless knows, with Entra's template ids, names and descriptions. */
const directoryRoleCatalog = [
  {
    roleTemplateId: DirectoryRoles.globalAdministrator,
    displayName: "Global Administrator",
    description: "Can manage all aspects of the directory.",
  },
  {
    roleTemplateId: DirectoryRoles.privilegedAuthenticationAdministrator,
    displayName: "Privileged Authentication Administrator",
    description: "Can access to view, set and reset authentication method information for any user (admin or non-admin).",
  },
  {
    roleTemplateId: DirectoryRoles.userAdministrator,
    displayName: "User Administrator",
    description: "Can manage all aspects of users and groups, except Global Administrators.",
  },
  {
    roleTemplateId: DirectoryRoles.helpdeskAdministrator,
    displayName: "Helpdesk Administrator",
    description: "Can reset passwords for non-administrators and Helpdesk Administrators.",
  },
  {
    roleTemplateId: DirectoryRoles.passwordAdministrator,
    displayName: "Password Administrator",
    description: "Can reset passwords for non-administrators and Password Administrators.",
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
  {
    roleTemplateId: DirectoryRoles.cloudApplicationAdministrator,
    displayName: "Cloud Application Administrator",
    description: "Can create and manage all aspects of app registrations and enterprise apps except App Proxy.",
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
     * Profile changes: User Administrators, but only a Global Administrator changes another Global Administrator.
     * Passwords and sensitive changes (disable, delete) follow Entra's tiers (credential-tiers.ts): who may reset
     * whose password depends on the roles the target holds.
     */
    async mayChangeUser(principalId: string, targetUserId: string, change: UserChange = "profile"): Promise<boolean> {
      const [caller, target] = await Promise.all([rolesOf(principalId), rolesOf(targetUserId)]);
      if (change === "password") return mayResetCredentials(caller, target);
      if (change === "sensitive") return mayTakeSensitiveAction(caller, target);
      if (caller.includes(DirectoryRoles.globalAdministrator)) return true;
      return caller.includes(DirectoryRoles.userAdministrator) && !target.includes(DirectoryRoles.globalAdministrator);
    },
    /**
     * Credentials of an application (secrets, certificates, federated credentials) let their holder act as its
     * service principal: an application administrator may change them only if they could reset the password of
     * a user holding the service principal's directory roles (so not for a Global Administrator's application).
     */
    async mayChangeApplicationCredentials(principalId: string, applicationId: string): Promise<boolean> {
      const caller = await rolesOf(principalId);
      if (!caller.some((r) => WRITERS.applications.includes(r))) return false;
      const application = await store.getApplication(applicationId.toLowerCase());
      const sp = application && (await store.findServicePrincipal(application.tenantId, application.appId));
      const target = sp ? await rolesOf(sp.id) : [];
      return target.length === 0 || mayResetCredentials(caller, target);
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
