import {
  callerPermissions,
  checkAccess,
  deleteDenyAssignment,
  denyAssignmentJson,
  getDenyAssignment,
  listDenyAssignments,
  putDenyAssignment,
} from "../../arm/access-queries.ts";
import { armError } from "../../arm/arm-errors.ts";
import { listRoleAssignments } from "../../arm/role-assignment-list.ts";
import {
  deleteRoleAssignment,
  getRoleAssignment,
  putRoleAssignment,
  type RoleAssignmentInput,
  roleAssignmentJson,
} from "../../arm/role-assignments.ts";
import {
  deleteRoleDefinition,
  getRoleDefinition,
  listRoleDefinitions,
  putRoleDefinition,
  roleDefinitionJson,
} from "../../arm/role-definitions.ts";
import { AUTHORIZATION_VERSIONS } from "../../arm/providers.ts";
import type { ArmContext, ArmRoute } from "./arm-route.ts";
import { denyAssignmentInput, roleDefinitionInput } from "./authorization-bodies.ts";

const ROLE_DEFINITION_VERSIONS = ["2022-05-01-preview", "2022-04-01", "2018-01-01-preview", "2015-07-01"];
const DENY_ASSIGNMENT_VERSIONS = ["2024-07-01-preview", "2022-04-01", "2018-07-01-preview", "2015-07-01"];
const PERMISSIONS_VERSIONS = ["2022-04-01", "2018-07-01-preview", "2018-01-01-preview", "2015-07-01"];

const provider = (suffix: string) => new RegExp(`^(.*)\\/providers\\/Microsoft\\.Authorization\\/${suffix}$`, "i");

/** The URL of the next page: this request's URL with `$skipToken` replaced, spelled literally as ARM does. */
function nextLink(ctx: ArmContext, skipToken: string): string {
  const [path, query = ""] = ctx.url.split("?", 2) as [string, string?];
  const kept = query.split("&").filter((p) => p !== "" && !/^(\$|%24)skipToken=/i.test(p));
  const origin = ctx.request ? `${ctx.request.protocol}://${ctx.request.host}` : ctx.origin;
  return `${origin}${path}?${[...kept, `$skipToken=${skipToken}`].join("&")}`;
}

/** `Microsoft.Authorization`: role definitions, role assignments, deny assignments, permissions and check-access. */
export const authorizationRoutes: ArmRoute[] = [
  {
    type: "Microsoft.Authorization/roleAssignments",
    pattern: provider("roleAssignments"),
    apiVersions: AUTHORIZATION_VERSIONS,
    handlers: {
      async GET(ctx) {
        const [scope] = ctx.params as [string];
        const query = { filter: ctx.query.$filter, top: ctx.query.$top, skipToken: ctx.query.$skipToken };
        const page = await listRoleAssignments(ctx.services.roleAssignments, await ctx.caller(), scope, query);
        const body: { value: unknown[]; nextLink?: string } = { value: page.value.map(roleAssignmentJson) };
        if (page.nextSkipToken !== undefined) body.nextLink = nextLink(ctx, page.nextSkipToken);
        return { body, paged: true };
      },
    },
  },
  {
    type: "Microsoft.Authorization/roleAssignments",
    pattern: provider("roleAssignments\\/([^/]+)"),
    apiVersions: AUTHORIZATION_VERSIONS,
    handlers: {
      async PUT(ctx) {
        const [scope, name] = ctx.params as [string, string];
        const { created, record } = await putRoleAssignment(
          ctx.services.roleAssignments,
          await ctx.caller(),
          scope,
          name,
          roleAssignmentInput(ctx.body),
          ctx.activity,
        );
        return { status: created ? 201 : 200, body: roleAssignmentJson(record) };
      },
      async DELETE(ctx) {
        const [scope, name] = ctx.params as [string, string];
        const { deleted } = await deleteRoleAssignment(ctx.services.roleAssignments, await ctx.caller(), scope, name, ctx.activity);
        return deleted ? { body: roleAssignmentJson(deleted) } : { status: 204 };
      },
      async GET(ctx) {
        const [scope, name] = ctx.params as [string, string];
        return { body: roleAssignmentJson(await getRoleAssignment(ctx.services.roleAssignments, await ctx.caller(), scope, name)) };
      },
    },
  },
  {
    type: "Microsoft.Authorization/roleDefinitions",
    pattern: provider("roleDefinitions"),
    apiVersions: ROLE_DEFINITION_VERSIONS,
    handlers: {
      async GET(ctx) {
        const [scope] = ctx.params as [string];
        const roles = await listRoleDefinitions(ctx.services.roleDefinitions, await ctx.caller(), scope, ctx.query.$filter);
        return { body: { value: roles.map((r) => roleDefinitionJson(r, scope)) } };
      },
    },
  },
  {
    type: "Microsoft.Authorization/roleDefinitions",
    pattern: provider("roleDefinitions\\/([^/]+)"),
    apiVersions: ROLE_DEFINITION_VERSIONS,
    handlers: {
      async GET(ctx) {
        const [scope, guid] = ctx.params as [string, string];
        await ctx.caller();
        return { body: roleDefinitionJson(await getRoleDefinition(ctx.services.roleDefinitions, scope, guid), scope) };
      },
      async PUT(ctx) {
        const [scope, guid] = ctx.params as [string, string];
        const { created, role } = await putRoleDefinition(
          ctx.services.roleDefinitions,
          await ctx.caller(),
          scope,
          guid,
          roleDefinitionInput(ctx.body),
        );
        return { status: created ? 201 : 200, body: roleDefinitionJson(role, scope) };
      },
      async DELETE(ctx) {
        const [scope, guid] = ctx.params as [string, string];
        const deleted = await deleteRoleDefinition(ctx.services.roleDefinitions, await ctx.caller(), scope, guid);
        return deleted ? { body: roleDefinitionJson(deleted, scope) } : { status: 204 };
      },
    },
  },
  {
    type: "Microsoft.Authorization/denyAssignments",
    pattern: provider("denyAssignments"),
    apiVersions: DENY_ASSIGNMENT_VERSIONS,
    handlers: {
      async GET(ctx) {
        const [scope] = ctx.params as [string];
        return { body: { value: (await listDenyAssignments(ctx.services.access, await ctx.caller(), scope)).map(denyAssignmentJson) } };
      },
    },
  },
  {
    type: "Microsoft.Authorization/denyAssignments",
    pattern: provider("denyAssignments\\/([^/]+)"),
    apiVersions: DENY_ASSIGNMENT_VERSIONS,
    handlers: {
      async GET(ctx) {
        const [scope, id] = ctx.params as [string, string];
        return { body: denyAssignmentJson(await getDenyAssignment(ctx.services.access, await ctx.caller(), scope, id)) };
      },
      async PUT(ctx) {
        const [scope, id] = ctx.params as [string, string];
        return {
          status: 201,
          body: denyAssignmentJson(
            await putDenyAssignment(ctx.services.access, await ctx.caller(), scope, id, denyAssignmentInput(ctx.body)),
          ),
        };
      },
      async DELETE(ctx) {
        const [scope, id] = ctx.params as [string, string];
        const deleted = await deleteDenyAssignment(ctx.services.access, await ctx.caller(), scope, id);
        return deleted ? { body: denyAssignmentJson(deleted) } : { status: 204 };
      },
    },
  },
  {
    type: "Microsoft.Authorization/permissions",
    pattern: provider("permissions"),
    apiVersions: PERMISSIONS_VERSIONS,
    handlers: {
      async GET(ctx) {
        const [scope] = ctx.params as [string];
        return { body: { value: callerPermissions(ctx.services.access, await ctx.caller(), scope) } };
      },
    },
  },
  {
    type: "Microsoft.Authorization/checkAccess",
    pattern: provider("checkAccess"),
    apiVersions: [],
    handlers: {
      async POST(ctx) {
        const [scope] = ctx.params as [string];
        return { body: await checkAccess(ctx.services.access, await ctx.caller(), scope, ctx.body) };
      },
    },
  },
];

function roleAssignmentInput(body: unknown): RoleAssignmentInput {
  const properties = (body as { properties?: Record<string, unknown> } | null)?.properties;
  if (!properties || typeof properties !== "object")
    throw armError("InvalidRequestContent", 'the body must be {"properties": {"roleDefinitionId": …, "principalId": …}}.');
  const text = (name: string, required: boolean): string | undefined => {
    const value = properties[name];
    if (value === undefined || value === null) {
      if (required) throw armError("InvalidRequestContent", `properties.${name} is required.`);
      return undefined;
    }
    if (typeof value !== "string") throw armError("InvalidRequestContent", `properties.${name} must be a string.`);
    return value;
  };
  const input: RoleAssignmentInput = { roleDefinitionId: text("roleDefinitionId", true)!, principalId: text("principalId", true)! };
  const principalType = text("principalType", false);
  if (principalType !== undefined) input.principalType = principalType;
  const description = text("description", false);
  if (description !== undefined) input.description = description;
  const condition = text("condition", false);
  if (condition !== undefined) input.condition = condition;
  const conditionVersion = text("conditionVersion", false);
  if (conditionVersion !== undefined) input.conditionVersion = conditionVersion;
  return input;
}
