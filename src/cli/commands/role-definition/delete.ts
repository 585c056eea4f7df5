import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { NotFoundError } from "../../cli-error.ts";
import { command } from "../../command.ts";
import { definitionsPath, listRoleDefinitions } from "../../role-lookup.ts";

export const options = {
  name: { type: "string", short: "n", required: true, help: "The role's name or id." },
  scope: { type: "string", help: "Scope; default: the subscription." },
} as const;

export const spec = command({
  path: ["role", "definition", "delete"],
  summary: "Delete a custom role definition.",
  options,
  examples: [{ text: "Delete a custom role.", command: 'keyless role definition delete -n "MaaS caller"' }],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    const scope = opts.scope ?? `/subscriptions/${subscriptionId}`;
    const found = (await listRoleDefinitions(client, scope)).find(
      (d) => d.properties.roleName === opts.name || d.name.toLowerCase() === opts.name.toLowerCase(),
    );
    if (!found) throw new NotFoundError(`Role '${opts.name}' doesn't exist at ${scope}.`, "RoleDefinitionDoesNotExist");
    await client.arm("DELETE", `${definitionsPath(scope)}/${found.name}`, { query: { "api-version": API_VERSIONS.roleDefinitions } });
    return undefined;
  },
});
