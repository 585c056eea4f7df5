import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { identityPath } from "../../arm-paths.ts";
import { command } from "../../command.ts";

export const options = {
  name: { type: "string", short: "n", required: true, help: "The identity's name." },
  "resource-group": { type: "string", short: "g", required: true, help: "Name of the resource group." },
} as const;

export const spec = command({
  path: ["identity", "show"],
  summary: "Show a user-assigned managed identity.",
  options,
  examples: [{ text: "An identity's principal id.", command: "keyless identity show -n app-id -g rg-ai --query principalId -o tsv" }],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    return (await client.arm("GET", identityPath(subscriptionId, opts["resource-group"]!, opts.name!), { query: { "api-version": API_VERSIONS.identity } })).body;
  },
});
