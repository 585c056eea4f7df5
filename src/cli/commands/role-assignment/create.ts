import { randomUUID } from "node:crypto";
import { API_VERSIONS, type KeylessClient } from "../../../client/keyless-client.ts";
import { RestError } from "../../../client/rest-error.ts";
import { scopeOf } from "../../arm-paths.ts";
import { getByIds, principalTypeOf, resolveAssignee } from "../../assignee.ts";
import { UsageError } from "../../cli-error.ts";
import { type Context, command } from "../../command.ts";
import { resolveRoleId } from "../../role-lookup.ts";

export const options = {
  role: { type: "string", required: true, help: "Role name (e.g. 'Cognitive Services User') or id." },
  assignee: { type: "string", help: "A user's UPN, a service principal's name or app id, or an object id (resolved through Graph)." },
  "assignee-object-id": { type: "string", help: "The assignee's object id; no Graph look-up of the assignee." },
  "assignee-principal-type": {
    type: "string",
    help: "The principal type; skips the Graph look-up of the type.",
    choices: ["User", "Group", "ServicePrincipal", "ForeignGroup"],
  },
  scope: { type: "string", help: "Scope of the assignment (a resource id); default: the subscription, or -g's group." },
  "resource-group": { type: "string", short: "g", help: "Use the resource group as the scope." },
  description: { type: "string", help: "Description of the assignment." },
  condition: {
    type: "string",
    help: "Condition under which the assignment grants (Azure's condition language, e.g. a delegation condition on roleAssignments/write).",
  },
  "condition-version": { type: "string", help: "Version of the condition syntax; only '2.0', the default with --condition." },
} as const;

export const spec = command({
  path: ["role", "assignment", "create"],
  summary: "Create a new role assignment for a user, group, or service principal.",
  options,
  examples: [
    {
      text: "Let a user call the models of an account (the walkthrough).",
      command: 'keyless role assignment create --assignee-object-id $OID --role "Cognitive Services User" --scope $ACCOUNT_ID',
    },
    {
      text: "Delegate role assignment, limited to assigning Cognitive Services User.",
      command:
        'keyless role assignment create --assignee-object-id $OID --role "Role Based Access Control Administrator" --condition "((!(ActionMatches{\'Microsoft.Authorization/roleAssignments/write\'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {a97b65f3-24c7-4388-baec-2e87135dc908}))" --condition-version 2.0',
    },
    {
      text: "By user principal name at a resource group.",
      command: "keyless role assignment create --assignee alice@contoso.keyless --role Reader -g rg-ai",
    },
  ],
  async run(opts, ctx) {
    if ((opts.assignee === undefined) === (opts["assignee-object-id"] === undefined)) {
      throw new UsageError("Give exactly one of --assignee or --assignee-object-id.");
    }
    if (opts["condition-version"] !== undefined && opts.condition === undefined) {
      throw new UsageError("--condition-version needs --condition.");
    }
    const { client, subscriptionId } = await ctx.client();
    const scope = scopeOf(subscriptionId, opts.scope, opts["resource-group"]);
    const principal = opts.assignee
      ? await resolveAssignee(client, opts.assignee)
      : { id: opts["assignee-object-id"]!, principalType: opts["assignee-principal-type"] };
    const principalType = opts["assignee-principal-type"] ?? principal.principalType ?? (await lookUpType(ctx, client, principal.id));
    const roleDefinitionId = await resolveRoleId(client, subscriptionId, scope, opts.role);
    const properties = {
      roleDefinitionId,
      principalId: principal.id,
      ...(principalType ? { principalType } : {}),
      ...(opts.description ? { description: opts.description } : {}),
      ...(opts.condition !== undefined ? { condition: opts.condition, conditionVersion: opts["condition-version"] ?? "2.0" } : {}),
    };
    try {
      const { body } = await client.arm(
        "PUT",
        `${scope === "/" ? "" : scope}/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}`,
        {
          query: { "api-version": API_VERSIONS.roleAssignments },
          body: { properties },
        },
      );
      return body;
    } catch (err) {
      if (err instanceof RestError && err.status === 409 && err.message.toLowerCase().includes("role assignment already exists")) {
        return existingAssignment(client, scope, roleDefinitionId, principal.id);
      }
      throw err;
    }
  },
});

/** az's behaviour without --assignee-principal-type: ask Graph, warn, and go on without the type if Graph fails. */
async function lookUpType(ctx: Context, client: KeylessClient, objectId: string): Promise<string | undefined> {
  ctx.warn(
    "If the assignee is an appId, make sure the corresponding service principal is created with 'keyless ad sp create --id $appId'.",
  );
  try {
    const [object] = await getByIds(client, [objectId]);
    return object && principalTypeOf(object);
  } catch {
    return undefined;
  }
}

/** The existing assignment az returns when the same one is created twice (idempotent create). */
async function existingAssignment(client: KeylessClient, scope: string, roleDefinitionId: string, principalId: string) {
  const all = (await client.list("arm", `${scope === "/" ? "" : scope}/providers/Microsoft.Authorization/roleAssignments`, {
    $filter: "atScope()",
    "api-version": API_VERSIONS.roleAssignments,
  })) as { properties: { scope: string; roleDefinitionId: string; principalId: string } }[];
  const guid = (id: string) => id.split("/").at(-1)!.toLowerCase();
  return all.find(
    (a) =>
      a.properties.scope.toLowerCase() === scope.toLowerCase() &&
      guid(a.properties.roleDefinitionId) === guid(roleDefinitionId) &&
      a.properties.principalId.toLowerCase() === principalId.toLowerCase(),
  );
}
