import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { command } from "../../command.ts";
import { deploymentsPath } from "../../template-deployments.ts";

export const options = {} as const;

export const spec = command({
  path: ["deployment", "sub", "list"],
  summary: "List the deployments at the subscription.",
  options,
  examples: [
    {
      text: "List deployment names and states.",
      command: 'keyless deployment sub list --query "[].{name:name, state:properties.provisioningState}"',
    },
  ],
  async run(_opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    return client.list("arm", deploymentsPath({ subscriptionId, group: undefined }), { "api-version": API_VERSIONS.resources });
  },
});
