import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { command } from "../../command.ts";
import { deploymentsPath } from "../../template-deployments.ts";

export const options = {
  "resource-group": { type: "string", short: "g", required: true, help: "Name of the resource group." },
} as const;

export const spec = command({
  path: ["deployment", "group", "list"],
  summary: "List the deployments at a resource group.",
  options,
  examples: [
    {
      text: "List deployment names and states.",
      command: 'keyless deployment group list -g rg-ai --query "[].{name:name, state:properties.provisioningState}"',
    },
  ],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    return client.list("arm", deploymentsPath({ subscriptionId, group: opts["resource-group"] }), {
      "api-version": API_VERSIONS.resources,
    });
  },
});
