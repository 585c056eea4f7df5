import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { command } from "../../command.ts";
import { deploymentBody, deploymentName, templateDeploymentPath, templateOptions } from "../../template-deployments.ts";

export const options = {
  ...templateOptions,
  location: { type: "string", short: "l", required: true, help: "Where the deployment record is kept, e.g. westeurope." },
} as const;

export const spec = command({
  path: ["deployment", "sub", "validate"],
  summary: "Validate a template at the subscription without deploying anything.",
  options,
  examples: [{ text: "Validate a template.", command: "keyless deployment sub validate -l westeurope -f main.json -p accountName=ai1" }],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    const path = templateDeploymentPath({ subscriptionId, group: undefined }, deploymentName(opts.name, opts["template-file"]));
    const body = deploymentBody(opts, { location: opts.location });
    return (await client.arm("POST", `${path}/validate`, { query: { "api-version": API_VERSIONS.resources }, body })).body;
  },
});
