import { command } from "../../command.ts";
import { createDeployment, deploymentBody, deploymentName, templateDeploymentPath, templateOptions } from "../../template-deployments.ts";

export const options = {
  ...templateOptions,
  location: { type: "string", short: "l", required: true, help: "Where the deployment record is kept, e.g. westeurope." },
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
    const path = templateDeploymentPath({ subscriptionId, group: undefined }, deploymentName(opts.name, opts["template-file"]));
    return createDeployment(ctx, client, path, deploymentBody(opts, { location: opts.location }), opts["no-wait"] === true);
  },
});
