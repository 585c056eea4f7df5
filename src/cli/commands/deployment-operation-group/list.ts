import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { command } from "../../command.ts";
import { templateDeploymentPath } from "../../template-deployments.ts";

export const options = {
  "resource-group": { type: "string", short: "g", required: true, help: "Name of the resource group." },
  name: { type: "string", short: "n", required: true, help: "The deployment name." },
} as const;

export const spec = command({
  path: ["deployment", "operation", "group", "list"],
  summary: "List a resource-group deployment's operations: one per resource, with its state and any error.",
  options,
  examples: [
    {
      text: "Show which resource failed and why.",
      command:
        "keyless deployment operation group list -g rg-ai -n main --query \"[?properties.provisioningState=='Failed'].properties.statusMessage\"",
    },
  ],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    const path = `${templateDeploymentPath({ subscriptionId, group: opts["resource-group"] }, opts.name)}/operations`;
    return client.list("arm", path, { "api-version": API_VERSIONS.resources });
  },
});
