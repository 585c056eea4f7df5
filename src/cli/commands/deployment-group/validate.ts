import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { command } from "../../command.ts";
import { deploymentBody, deploymentName, templateDeploymentPath, templateOptions } from "../../template-deployments.ts";

export const options = {
  "resource-group": { type: "string", short: "g", required: true, help: "Name of the resource group." },
  ...templateOptions,
  mode: {
    type: "string",
    help: "Incremental (default) or Complete (deletes what the template does not name).",
    choices: ["Incremental", "Complete"],
  },
} as const;

export const spec = command({
  path: ["deployment", "group", "validate"],
  summary: "Validate a template at a resource group without deploying anything.",
  options,
  examples: [{ text: "Validate a template.", command: "keyless deployment group validate -g rg-ai -f main.json -p accountName=ai1" }],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    const path = templateDeploymentPath(
      { subscriptionId, group: opts["resource-group"] },
      deploymentName(opts.name, opts["template-file"]),
    );
    const body = deploymentBody(opts, { mode: opts.mode });
    return (await client.arm("POST", `${path}/validate`, { query: { "api-version": API_VERSIONS.resources }, body })).body;
  },
});
