import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { command } from "../../command.ts";
import { templateDeploymentPath } from "../../template-deployments.ts";

export const options = {
  name: { type: "string", short: "n", required: true, help: "The deployment name." },
} as const;

export const spec = command({
  path: ["deployment", "sub", "delete"],
  summary: "Delete a deployment from the history at the subscription (the resources it made stay).",
  options,
  examples: [{ text: "Delete a deployment record.", command: "keyless deployment sub delete -n main" }],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    await client.arm("DELETE", templateDeploymentPath({ subscriptionId, group: undefined }, opts.name), {
      query: { "api-version": API_VERSIONS.resources },
    });
    return undefined;
  },
});
