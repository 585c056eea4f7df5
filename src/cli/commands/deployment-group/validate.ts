import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { command } from "../../command.ts";
import { deploymentBody } from "../../template-deployments.ts";
import { groupDeploymentPath, groupTemplateOptions } from "./options.ts";

export const options = {
  ...groupTemplateOptions,
} as const;

export const spec = command({
  path: ["deployment", "group", "validate"],
  summary: "Validate a template at a resource group without deploying anything.",
  options,
  examples: [{ text: "Validate a template.", command: "keyless deployment group validate -g rg-ai -f main.json -p accountName=ai1" }],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    const path = groupDeploymentPath(subscriptionId, opts);
    const body = deploymentBody(opts, { mode: opts.mode });
    return (await client.arm("POST", `${path}/validate`, { query: { "api-version": API_VERSIONS.resources }, body })).body;
  },
});
