import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { resourceGroupPath } from "../../arm-paths.ts";
import { command } from "../../command.ts";

export const options = { name: { type: "string", short: "n", required: true, help: "Name of the resource group." } } as const;

export const spec = command({
  path: ["group", "show"],
  summary: "Gets a resource group.",
  options,
  examples: [{ text: "Show a resource group's location.", command: "keyless group show -n rg-ai --query location -o tsv" }],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    return (await client.arm("GET", resourceGroupPath(subscriptionId, opts.name), { query: { "api-version": API_VERSIONS.resources } }))
      .body;
  },
});
