import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { command } from "../../command.ts";
import { deploymentBody } from "../../template-deployments.ts";
import { subDeploymentPath, subTemplateOptions } from "./options.ts";

export const options = {
  ...subTemplateOptions,
} as const;

export const spec = command({
  path: ["deployment", "sub", "validate"],
  summary: "Validate a template at the subscription without deploying anything.",
  options,
  examples: [{ text: "Validate a template.", command: "keyless deployment sub validate -l westeurope -f main.json -p accountName=ai1" }],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    const path = subDeploymentPath(subscriptionId, opts);
    const body = deploymentBody(opts, { location: opts.location });
    return (await client.arm("POST", `${path}/validate`, { query: { "api-version": API_VERSIONS.resources }, body })).body;
  },
});
