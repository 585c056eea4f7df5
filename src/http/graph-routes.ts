import * as appCredentials from "../graph/application-credentials.ts";
import * as apps from "../graph/applications.ts";
import * as objects from "../graph/directory-objects.ts";
import * as roles from "../graph/directory-roles.ts";
import type { GraphDirectory, GraphRequest } from "../graph/graph-directory.ts";
import * as groups from "../graph/groups.ts";
import * as sps from "../graph/service-principals.ts";
import * as users from "../graph/users.ts";

/** One Graph route: the handler returns the body, or undefined for `204 No Content`. */
interface GraphRoute {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  path: string;
  status?: number;
  handle(dir: GraphDirectory, req: GraphRequest, params: Record<string, string>, body: unknown): Promise<unknown>;
}

const p = (params: Record<string, string>, name: string) => params[name]!;

/** The membership questions every kind of directory object answers, under its own collection. */
function membershipRoutes(segment: string): GraphRoute[] {
  return [
    { method: "GET", path: `/${segment}/:id/memberOf`, handle: (d, r, x) => objects.memberOf(d, r, p(x, "id"), false, segment) },
    { method: "GET", path: `/${segment}/:id/transitiveMemberOf`, handle: (d, r, x) => objects.memberOf(d, r, p(x, "id"), true, segment) },
    {
      method: "POST",
      path: `/${segment}/:id/checkMemberGroups`,
      handle: (d, r, x, b) => objects.checkMemberGroups(d, r, p(x, "id"), b, "groupIds"),
    },
    {
      method: "POST",
      path: `/${segment}/:id/checkMemberObjects`,
      handle: (d, r, x, b) => objects.checkMemberGroups(d, r, p(x, "id"), b, "ids"),
    },
    { method: "POST", path: `/${segment}/:id/getMemberGroups`, handle: (d, r, x, b) => objects.getMemberGroups(d, r, p(x, "id"), b) },
    { method: "POST", path: `/${segment}/:id/getMemberObjects`, handle: (d, r, x, b) => objects.getMemberGroups(d, r, p(x, "id"), b) },
  ];
}

export const graphRoutes: readonly GraphRoute[] = [
  { method: "GET", path: "/me", handle: (d, r) => users.me(d, r) },
  { method: "GET", path: "/me/memberOf", handle: (d, r) => objects.memberOf(d, r, r.caller.principalId, false, "users") },
  { method: "GET", path: "/me/transitiveMemberOf", handle: (d, r) => objects.memberOf(d, r, r.caller.principalId, true, "users") },

  { method: "GET", path: "/users", handle: (d, r) => users.listUsers(d, r) },
  { method: "POST", path: "/users", status: 201, handle: (d, r, _x, b) => users.createUser(d, r, b) },
  { method: "GET", path: "/users/:id", handle: (d, r, x) => users.getUser(d, r, p(x, "id")) },
  { method: "PATCH", path: "/users/:id", handle: (d, r, x, b) => users.updateUser(d, r, p(x, "id"), b) },
  { method: "DELETE", path: "/users/:id", handle: (d, r, x) => users.deleteUser(d, r, p(x, "id")) },
  ...membershipRoutes("users"),

  { method: "GET", path: "/groups", handle: (d, r) => groups.listGroups(d, r) },
  { method: "POST", path: "/groups", status: 201, handle: (d, r, _x, b) => groups.createGroup(d, r, b) },
  { method: "GET", path: "/groups/:id", handle: (d, r, x) => groups.getGroup(d, r, p(x, "id")) },
  { method: "PATCH", path: "/groups/:id", handle: (d, r, x, b) => groups.updateGroup(d, r, p(x, "id"), b) },
  { method: "DELETE", path: "/groups/:id", handle: (d, r, x) => groups.deleteGroup(d, r, p(x, "id")) },
  { method: "GET", path: "/groups/:id/members", handle: (d, r, x) => groups.listMembers(d, r, p(x, "id"), false) },
  { method: "GET", path: "/groups/:id/transitiveMembers", handle: (d, r, x) => groups.listMembers(d, r, p(x, "id"), true) },
  { method: "POST", path: "/groups/:id/members/$ref", handle: (d, r, x, b) => groups.addMember(d, r, p(x, "id"), b) },
  {
    method: "DELETE",
    path: "/groups/:id/members/:memberId/$ref",
    handle: (d, r, x) => groups.removeMember(d, r, p(x, "id"), p(x, "memberId")),
  },
  { method: "GET", path: "/groups/:id/owners", handle: (d, r, x) => groups.listOwners(d, r, p(x, "id")) },
  { method: "POST", path: "/groups/:id/owners/$ref", handle: (d, r, x, b) => groups.addOwner(d, r, p(x, "id"), b) },
  {
    method: "DELETE",
    path: "/groups/:id/owners/:ownerId/$ref",
    handle: (d, r, x) => groups.removeOwner(d, r, p(x, "id"), p(x, "ownerId")),
  },
  ...membershipRoutes("groups"),

  { method: "GET", path: "/applications", handle: (d, r) => apps.listApplications(d, r) },
  { method: "POST", path: "/applications", status: 201, handle: (d, r, _x, b) => apps.createApplication(d, r, b) },
  { method: "GET", path: "/applications/:id", handle: (d, r, x) => apps.getApplication(d, r, p(x, "id")) },
  { method: "PATCH", path: "/applications/:id", handle: (d, r, x, b) => apps.updateApplication(d, r, p(x, "id"), b) },
  { method: "DELETE", path: "/applications/:id", handle: (d, r, x) => apps.deleteApplication(d, r, p(x, "id")) },
  { method: "POST", path: "/applications/:id/addPassword", handle: (d, r, x, b) => apps.addPassword(d, r, p(x, "id"), b) },
  { method: "POST", path: "/applications/:id/removePassword", handle: (d, r, x, b) => apps.removePassword(d, r, p(x, "id"), b) },
  {
    method: "GET",
    path: "/applications/:id/federatedIdentityCredentials",
    handle: (d, r, x) => appCredentials.listFederatedCredentials(d, r, p(x, "id")),
  },
  {
    method: "POST",
    path: "/applications/:id/federatedIdentityCredentials",
    status: 201,
    handle: (d, r, x, b) => appCredentials.createFederatedCredential(d, r, p(x, "id"), b),
  },
  {
    method: "GET",
    path: "/applications/:id/federatedIdentityCredentials/:credential",
    handle: (d, r, x) => appCredentials.getFederatedCredential(d, r, p(x, "id"), p(x, "credential")),
  },
  {
    method: "DELETE",
    path: "/applications/:id/federatedIdentityCredentials/:credential",
    handle: (d, r, x) => appCredentials.deleteFederatedCredential(d, r, p(x, "id"), p(x, "credential")),
  },

  { method: "GET", path: "/servicePrincipals", handle: (d, r) => sps.listServicePrincipals(d, r) },
  { method: "POST", path: "/servicePrincipals", status: 201, handle: (d, r, _x, b) => sps.createServicePrincipal(d, r, b) },
  { method: "GET", path: "/servicePrincipals/:id", handle: (d, r, x) => sps.getServicePrincipal(d, r, p(x, "id")) },
  { method: "DELETE", path: "/servicePrincipals/:id", handle: (d, r, x) => sps.deleteServicePrincipal(d, r, p(x, "id")) },
  ...membershipRoutes("servicePrincipals"),

  { method: "GET", path: "/directoryRoles", handle: (d, r) => roles.listDirectoryRoles(d, r) },
  { method: "GET", path: "/directoryRoles/:id", handle: (d, r, x) => roles.getDirectoryRole(d, r, p(x, "id")) },
  { method: "GET", path: "/directoryRoles/:id/members", handle: (d, r, x) => roles.listRoleMembers(d, r, p(x, "id")) },
  { method: "POST", path: "/directoryRoles/:id/members/$ref", handle: (d, r, x, b) => roles.addRoleMember(d, r, p(x, "id"), b) },
  {
    method: "DELETE",
    path: "/directoryRoles/:id/members/:memberId/$ref",
    handle: (d, r, x) => roles.removeRoleMember(d, r, p(x, "id"), p(x, "memberId")),
  },

  { method: "POST", path: "/directoryObjects/getByIds", handle: (d, r, _x, b) => objects.getByIds(d, r, b) },
  { method: "GET", path: "/directoryObjects/:id", handle: (d, r, x) => objects.getDirectoryObject(d, r, p(x, "id")) },
  ...membershipRoutes("directoryObjects"),
];
