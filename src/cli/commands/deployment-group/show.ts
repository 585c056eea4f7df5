import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { command } from "../../command.ts";
import { templateDeploymentPath } from "../../template-deployments.ts";

export const options = {
  "resource-group": { type: "string", short: "g", required: true, help: "Name of the resource group." },
  name: { type: "string", short: "n", required: true, help: "The deployment name." },
} as const;

export const spec = command({
  path: ["deployment", "group", "show"],
  summary: "Show a deployment at a resource group.",
  options,
  examples: [
    { text: "Show a deployment's outputs.", command: "keyless deployment group show -g rg-ai -n main --query properties.outputs" },
  ],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    const path = templateDeploymentPath({ subscriptionId, group: opts["resource-group"] }, opts.name);
    return (await client.arm("GET", path, { query: { "api-version": API_VERSIONS.resources } })).body;
  },
});
