import { API_VERSIONS, type KeylessClient } from "../../../client/keyless-client.ts";
import { RestError } from "../../../client/rest-error.ts";
import { scopeOf } from "../../arm-paths.ts";
import { getByIds, principalName, resolveAssignee } from "../../assignee.ts";
import { type Context, command } from "../../command.ts";
import { listRoleDefinitions, resolveRoleId } from "../../role-lookup.ts";

export const options = {
  assignee: { type: "string", help: "Only assignments of this principal (UPN, service principal name or object id)." },
  role: { type: "string", help: "Only assignments of this role (name or id)." },
  scope: { type: "string", help: "Scope; default: the subscription, or -g's group." },
  "resource-group": { type: "string", short: "g", help: "Use the resource group as the scope." },
  all: { type: "boolean", help: "Show assignments at, above and below the scope, not only at it." },
} as const;

export interface Assignment {
  id: string;
  name: string;
  type: string;
  properties: { scope: string; roleDefinitionId: string; principalId: string; principalType?: string };
}

export const spec = command({
  path: ["role", "assignment", "list"],
  summary: "List role assignments.",
  options,
  examples: [
    { text: "Assignments at an account.", command: "keyless role assignment list --scope $ACCOUNT_ID -o table" },
    { text: "Everything one user holds.", command: "keyless role assignment list --assignee alice@contoso.keyless --all" },
  ],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    const scope = scopeOf(subscriptionId, opts.scope, opts["resource-group"]);
    const assignments = await listAssignments(client, subscriptionId, scope, opts);
    return describe(ctx, client, scope, assignments);
  },
  tableRows: (result) =>
    (result as { principalName?: string; principalId: string; roleDefinitionName?: string; roleDefinitionId: string; scope: string }[]).map(
      (a) => ({
        Principal: a.principalName ?? a.principalId,
        Role: a.roleDefinitionName ?? a.roleDefinitionId.split("/").at(-1),
        Scope: a.scope,
      }),
    ),
});

export async function listAssignments(
  client: KeylessClient,
  subscriptionId: string,
  scope: string,
  opts: { assignee?: string | undefined; role?: string | undefined; all?: boolean | undefined },
): Promise<Assignment[]> {
  const principalId = opts.assignee ? (await resolveAssignee(client, opts.assignee)).id : undefined;
  const at = principalId && opts.all ? `/subscriptions/${subscriptionId}` : scope;
  const filter = principalId ? `principalId eq '${principalId}'` : "atScope()";
  let assignments = (await client.list("arm", `${at === "/" ? "" : at}/providers/Microsoft.Authorization/roleAssignments`, {
    $filter: filter,
    "api-version": API_VERSIONS.roleAssignments,
  })) as Assignment[];
  if (!opts.all) assignments = assignments.filter((a) => a.properties.scope.toLowerCase() === scope.toLowerCase());
  if (opts.role) {
    const roleGuid = (await resolveRoleId(client, subscriptionId, scope, opts.role)).split("/").at(-1)!.toLowerCase();
    assignments = assignments.filter((a) => a.properties.roleDefinitionId.split("/").at(-1)!.toLowerCase() === roleGuid);
  }
  return assignments;
}

/** Adds az's `roleDefinitionName` and `principalName`; a surface that cannot name them leaves them out with a warning. */
async function describe(ctx: Context, client: KeylessClient, scope: string, assignments: Assignment[]) {
  if (assignments.length === 0) return [];
  const roles = await optional(ctx, "role names", () => listRoleDefinitions(client, scope));
  const principals = await optional(ctx, "principal names", () =>
    getByIds(client, [...new Set(assignments.map((a) => a.properties.principalId))]),
  );
  return assignments.map((a) => {
    const role = roles?.find((r) => r.name.toLowerCase() === a.properties.roleDefinitionId.split("/").at(-1)!.toLowerCase());
    const principal = principals?.find((p) => p.id.toLowerCase() === a.properties.principalId.toLowerCase());
    return {
      ...a.properties,
      id: a.id,
      name: a.name,
      type: a.type,
      ...(principal ? { principalName: principalName(principal) } : {}),
      ...(role ? { roleDefinitionName: role.properties.roleName } : {}),
    };
  });
}

async function optional<T>(ctx: Context, what: string, get: () => Promise<T>): Promise<T | undefined> {
  try {
    return await get();
  } catch (err) {
    if (!(err instanceof RestError)) throw err;
    ctx.warn(`WARNING: could not look up ${what}: (${err.code}) ${err.message}`);
    return undefined;
  }
}
