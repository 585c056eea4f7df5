import type { ListQuery } from "../core/list-query.ts";
import type { GraphDirectory, GraphRequest, UserLike } from "./graph-directory.ts";
import { graphError } from "./graph-errors.ts";
import { filterFields, sqlFilterFields, userJson } from "./graph-objects.ts";
import {
  bodyObject,
  entityContext,
  onlyProperties,
  optionalBoolean,
  optionalString,
  requireSameTenant,
  requireWriter,
  requiredString,
  translate,
  type Body,
} from "./graph-guards.ts";
import { pagedCollectionResponse, selectFields } from "./odata-query.ts";

/** `/me`, `/users`, `/users/{id | userPrincipalName}`. */

export async function me(dir: GraphDirectory, req: GraphRequest) {
  if (req.caller.kind !== "user") throw graphError("BadRequest", "/me request is only valid with delegated authentication flow.");
  const user = requireSameTenant(req, "me", await dir.findUser(req.caller.principalId));
  return { "@odata.context": entityContext(req, "users"), ...selectFields(userJson(user), req.query) };
}

/** A page at a time from storage: a tenant may hold 100,000 users. */
export async function listUsers(dir: GraphDirectory, req: GraphRequest) {
  const tenantId = req.caller.tenantId;
  const source = {
    sqlFields: sqlFilterFields.users,
    page: (query: ListQuery) => dir.listUsersPage(tenantId, query),
    all: () => dir.listUsers(tenantId),
    toJson: userJson,
  };
  return pagedCollectionResponse(source, {
    url: `${req.base}/users`,
    context: `${req.base}/$metadata#users`,
    query: req.query,
    filterLimits: req.filterLimits,
    filterFields: filterFields.users,
  });
}

export async function getUser(dir: GraphDirectory, req: GraphRequest, idOrUpn: string) {
  const user = await findUser(dir, req, idOrUpn);
  return { "@odata.context": entityContext(req, "users"), ...selectFields(userJson(user), req.query) };
}

export async function createUser(dir: GraphDirectory, req: GraphRequest, rawBody: unknown) {
  await requireWriter(dir, req, "users");
  const body = bodyObject(rawBody);
  onlyProperties(body, ["accountEnabled", "displayName", "mailNickname", "userPrincipalName", "passwordProfile"], "user");
  const password = passwordOf(body);
  if (password === undefined) throw graphError("Request_BadRequest", "Property 'passwordProfile.password' is required to create a user.");
  const mailNickname = optionalString(body, "mailNickname");
  const accountEnabled = optionalBoolean(body, "accountEnabled");
  const user = await translate(() =>
    dir.createUser(req.caller.tenantId, {
      userPrincipalName: requiredString(body, "userPrincipalName"),
      displayName: requiredString(body, "displayName"),
      password,
      enforcePasswordPolicy: true,
      ...(mailNickname !== undefined ? { mailNickname } : {}),
      ...(accountEnabled !== undefined ? { accountEnabled } : {}),
    }),
  );
  return { "@odata.context": entityContext(req, "users"), ...userJson(user) };
}

export async function updateUser(dir: GraphDirectory, req: GraphRequest, idOrUpn: string, rawBody: unknown): Promise<void> {
  const user = await findUser(dir, req, idOrUpn);
  const body = bodyObject(rawBody);
  onlyProperties(body, ["accountEnabled", "displayName", "mailNickname", "passwordProfile"], "user");
  const password = passwordOf(body);
  const displayName = optionalString(body, "displayName");
  const mailNickname = optionalString(body, "mailNickname");
  const accountEnabled = optionalBoolean(body, "accountEnabled");
  const changes: UserChange[] = [
    ...(password !== undefined ? (["password"] as const) : []),
    ...(accountEnabled !== undefined ? (["sensitive"] as const) : []),
  ];
  if (displayName !== undefined || mailNickname !== undefined || changes.length === 0) changes.push("profile");
  await requireUserChange(dir, req, user, changes);
  await translate(() =>
    dir.updateUser(user.id, {
      ...(displayName !== undefined ? { displayName } : {}),
      ...(mailNickname !== undefined ? { mailNickname } : {}),
      ...(accountEnabled !== undefined ? { accountEnabled } : {}),
      ...(password !== undefined ? { password } : {}),
    }),
  );
}

export async function deleteUser(dir: GraphDirectory, req: GraphRequest, idOrUpn: string): Promise<void> {
  const user = await findUser(dir, req, idOrUpn);
  await requireUserChange(dir, req, user, ["sensitive"]);
  if (user.id === req.caller.principalId)
    throw graphError("Request_BadRequest", "You cannot delete your own account; ask another administrator.");
  await translate(() => dir.deleteUser(user.id));
}

async function findUser(dir: GraphDirectory, req: GraphRequest, idOrUpn: string): Promise<UserLike> {
  return requireSameTenant(req, idOrUpn, await dir.findUser(idOrUpn));
}

type UserChange = "profile" | "password" | "sensitive";

/** Each kind of change has its own tier of directory roles (passwords: Entra's "who can reset passwords" table). */
async function requireUserChange(dir: GraphDirectory, req: GraphRequest, target: UserLike, changes: readonly UserChange[]): Promise<void> {
  for (const change of changes) {
    if (!(await dir.mayChangeUser(req.caller.principalId, target.id, change))) throw graphError("Authorization_RequestDenied");
  }
}

/** `passwordProfile.password`; a forced change at next sign-in is refused because sign-in cannot enforce it yet. */
function passwordOf(body: Body): string | undefined {
  const profile = body.passwordProfile;
  if (profile === undefined) return undefined;
  if (typeof profile !== "object" || profile === null)
    throw graphError("Request_BadRequest", "Property 'passwordProfile' must be an object.");
  const { password, forceChangePasswordNextSignIn } = profile as Body;
  if (forceChangePasswordNextSignIn === true) {
    throw graphError(
      "Request_BadRequest",
      "forceChangePasswordNextSignIn=true is not supported: Keyless sign-in has no password-change step. Send false or leave it out.",
    );
  }
  if (password === undefined) return undefined;
  if (typeof password !== "string" || password === "")
    throw graphError("Request_BadRequest", "Property 'passwordProfile.password' must be a non-empty string.");
  return password;
}
