import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { command } from "../../command.ts";
import { templateDeploymentPath } from "../../template-deployments.ts";

export const options = {
  "resource-group": { type: "string", short: "g", required: true, help: "Name of the resource group." },
  name: { type: "string", short: "n", required: true, help: "The deployment name." },
} as const;

export const spec = command({
  path: ["deployment", "group", "delete"],
  summary: "Delete a deployment from the history at a resource group (the resources it made stay).",
  options,
  examples: [{ text: "Delete a deployment record.", command: "keyless deployment group delete -g rg-ai -n main" }],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    await client.arm("DELETE", templateDeploymentPath({ subscriptionId, group: opts["resource-group"] }, opts.name), {
      query: { "api-version": API_VERSIONS.resources },
    });
    return undefined;
  },
});
