import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { command } from "../../command.ts";
import { templateDeploymentPath } from "../../template-deployments.ts";

export const options = {
  name: { type: "string", short: "n", required: true, help: "The deployment name." },
} as const;

export const spec = command({
  path: ["deployment", "sub", "show"],
  summary: "Show a deployment at the subscription.",
  options,
  examples: [{ text: "Show a deployment's outputs.", command: "keyless deployment sub show -n main --query properties.outputs" }],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    const path = templateDeploymentPath({ subscriptionId, group: undefined }, opts.name);
    return (await client.arm("GET", path, { query: { "api-version": API_VERSIONS.resources } })).body;
  },
});
