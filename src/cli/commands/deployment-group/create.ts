import { command } from "../../command.ts";
import { createDeployment, deploymentBody, deploymentName, templateDeploymentPath, templateOptions } from "../../template-deployments.ts";

export const options = {
  "resource-group": { type: "string", short: "g", required: true, help: "Name of the resource group." },
  ...templateOptions,
  mode: {
    type: "string",
    help: "Incremental (default) or Complete (deletes what the template does not name).",
    choices: ["Incremental", "Complete"],
  },
  "no-wait": { type: "boolean", help: "Do not wait for the deployment to finish." },
} as const;

export const spec = command({
  path: ["deployment", "group", "create"],
  summary: "Start a template deployment at a resource group and wait for it.",
  options,
  examples: [
    {
      text: "Deploy a template with a parameters file and one more value.",
      command:
        "keyless deployment group create -g rg-ai -f main.json -p @main.parameters.json -p principalId=00000000-0000-0000-0000-000000000000",
    },
  ],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    const path = templateDeploymentPath(
      { subscriptionId, group: opts["resource-group"] },
      deploymentName(opts.name, opts["template-file"]),
    );
    return createDeployment(ctx, client, path, deploymentBody(opts, { mode: opts.mode }), opts["no-wait"] === true);
  },
});
