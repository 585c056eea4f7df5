import { armError } from "../../arm/arm-errors.ts";
import { deleteRoleAssignment, getRoleAssignment, putRoleAssignment, type RoleAssignmentInput, roleAssignmentJson } from "../../arm/role-assignments.ts";
import type { ArmRoute } from "./arm-route.ts";

const ROLE_ASSIGNMENT_VERSIONS = ["2022-04-01", "2022-01-01-preview", "2020-10-01-preview", "2020-08-01-preview", "2020-04-01-preview", "2020-03-01-preview", "2018-09-01-preview", "2018-01-01-preview", "2015-07-01"];

/** `Microsoft.Authorization`: role assignments at any scope. */
export const authorizationRoutes: ArmRoute[] = [
  {
    type: "Microsoft.Authorization/roleAssignments",
    pattern: /^(.*)\/providers\/Microsoft\.Authorization\/roleAssignments\/([^/]+)$/i,
    apiVersions: ROLE_ASSIGNMENT_VERSIONS,
    handlers: {
      async PUT(ctx) {
        const [scope, name] = ctx.params as [string, string];
        const { created, record } = await putRoleAssignment(ctx.services.roleAssignments, await ctx.caller(), scope, name, roleAssignmentInput(ctx.body));
        return { status: created ? 201 : 200, body: roleAssignmentJson(record) };
      },
      async DELETE(ctx) {
        const [scope, name] = ctx.params as [string, string];
        const deleted = await deleteRoleAssignment(ctx.services.roleAssignments, await ctx.caller(), scope, name);
        return deleted ? { body: roleAssignmentJson(deleted) } : { status: 204 };
      },
      async GET(ctx) {
        const [scope, name] = ctx.params as [string, string];
        return { body: roleAssignmentJson(await getRoleAssignment(ctx.services.roleAssignments, await ctx.caller(), scope, name)) };
      },
    },
  },
];

function roleAssignmentInput(body: unknown): RoleAssignmentInput {
  const properties = (body as { properties?: Record<string, unknown> } | null)?.properties;
  if (!properties || typeof properties !== "object") throw armError("InvalidRequestContent", "the body must be {\"properties\": {\"roleDefinitionId\": …, \"principalId\": …}}.");
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
  return input;
}
