import { command } from "../../command.ts";
import { createDeployment, deploymentBody } from "../../template-deployments.ts";
import { subDeploymentPath, subTemplateOptions } from "./options.ts";

export const options = {
  ...subTemplateOptions,
  "no-wait": { type: "boolean", help: "Do not wait for the deployment to finish." },
} as const;

export const spec = command({
  path: ["deployment", "sub", "create"],
  summary: "Start a template deployment at the subscription and wait for it.",
  options,
  examples: [
    {
      text: "Deploy a template with a parameters file and one more value.",
      command:
        "keyless deployment sub create -l westeurope -f main.json -p @main.parameters.json -p principalId=00000000-0000-0000-0000-000000000000",
    },
  ],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    const path = subDeploymentPath(subscriptionId, opts);
    return createDeployment(ctx, client, path, deploymentBody(opts, { location: opts.location }), opts["no-wait"] === true);
  },
});
