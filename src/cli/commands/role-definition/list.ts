import { command } from "../../command.ts";
import { azRoleDefinition, listRoleDefinitions } from "../../role-lookup.ts";

export const options = {
  name: { type: "string", short: "n", help: "A role's name or id." },
  scope: { type: "string", help: "Scope; default: the subscription." },
  "custom-role-only": { type: "boolean", help: "Only custom roles." },
} as const;

export const spec = command({
  path: ["role", "definition", "list"],
  summary: "List role definitions.",
  options,
  examples: [
    {
      text: "Show the permissions of a built-in role.",
      command: 'keyless role definition list -n "Cognitive Services User" --query [0].permissions',
    },
    { text: "List custom roles.", command: "keyless role definition list --custom-role-only -o table" },
  ],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    const definitions = await listRoleDefinitions(client, opts.scope ?? `/subscriptions/${subscriptionId}`);
    return definitions
      .filter((d) => !opts.name || d.properties.roleName === opts.name || d.name.toLowerCase() === opts.name.toLowerCase())
      .filter((d) => !opts["custom-role-only"] || d.properties.type === "CustomRole")
      .map(azRoleDefinition);
  },
  /** az's `transform_definition_list`. */
  tableRows: (result) =>
    (result as { roleName: string; type: string; description: string }[]).map((d) => ({
      Name: d.roleName,
      Type: d.type,
      Description: d.description,
    })),
});
