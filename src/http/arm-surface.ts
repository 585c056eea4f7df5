import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ArmCaller } from "../arm/arm-caller.ts";
import { armError } from "../arm/arm-errors.ts";
import { deleteRoleAssignment, getRoleAssignment, putRoleAssignment, type RoleAssignmentInput, roleAssignmentJson } from "../arm/role-assignments.ts";
import { resourceAudiences } from "../tokens/audiences.ts";
import { authenticateArmStyle } from "./bearer-auth.ts";
import type { Services } from "./services.ts";
import { errorEnvelopeHandler } from "./surface-errors.ts";

const ROLE_ASSIGNMENT = /^(.*)\/providers\/Microsoft\.Authorization\/roleAssignments\/([^/]+)$/i;
const ROLE_ASSIGNMENT_VERSIONS = ["2015-07-01", "2018-01-01-preview", "2018-09-01-preview", "2020-03-01-preview", "2020-04-01-preview", "2020-08-01-preview", "2020-10-01-preview", "2022-01-01-preview", "2022-04-01"];

/** ARM: the routes land here; each resource type is matched on the path (scopes nest to any depth). */
export async function armSurface(app: FastifyInstance, services: Services): Promise<void> {
  app.setErrorHandler(
    errorEnvelopeHandler(
      (e) => armError("InvalidRequestContent", e.message),
      (requestId) => armError("InternalServerError", requestId),
    ),
  );

  const caller = async (request: FastifyRequest): Promise<ArmCaller> => {
    const token = await authenticateArmStyle(services.validator, request, resourceAudiences.arm);
    return services.armCaller(token.objectId, token.tenantId, token.userPrincipalName);
  };

  const dispatch = async (request: FastifyRequest, reply: FastifyReply) => {
    const path = decodeURIComponent(new URL(request.url, "https://x").pathname).replace(/\/{2,}/g, "/").replace(/\/$/, "");
    const match = ROLE_ASSIGNMENT.exec(path);
    if (!match) throw armError("ResourceNotFound", "path", path);
    const version = (request.query as Record<string, string | undefined>)["api-version"];
    if (!version) throw armError("MissingApiVersionParameter");
    if (!ROLE_ASSIGNMENT_VERSIONS.includes(version)) throw armError("InvalidApiVersionParameter", version, "Microsoft.Authorization/roleAssignments", ROLE_ASSIGNMENT_VERSIONS.join(","));
    const who = await caller(request);
    const [, scope, name] = match as unknown as [string, string, string];
    const deps = services.roleAssignments;
    switch (request.method) {
      case "PUT": {
        const { created, record } = await putRoleAssignment(deps, who, scope, name, roleAssignmentInput(request.body));
        return reply.status(created ? 201 : 200).send(roleAssignmentJson(record));
      }
      case "DELETE": {
        const deleted = await deleteRoleAssignment(deps, who, scope, name);
        return deleted ? reply.status(200).send(roleAssignmentJson(deleted)) : reply.status(204).send();
      }
      default:
        return roleAssignmentJson(await getRoleAssignment(deps, who, scope, name));
    }
  };

  for (const prefix of ["/subscriptions/*", "/providers/*"]) {
    app.route({ method: ["GET", "PUT", "DELETE"], url: prefix, handler: dispatch });
  }
}

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
