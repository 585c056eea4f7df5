import { command } from "../../command.ts";
import { createDeployment, deploymentBody } from "../../template-deployments.ts";
import { groupDeploymentPath, groupTemplateOptions } from "./options.ts";

export const options = {
  ...groupTemplateOptions,
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
    const path = groupDeploymentPath(subscriptionId, opts);
    return createDeployment(ctx, client, path, deploymentBody(opts, { mode: opts.mode }), opts["no-wait"] === true);
  },
});
