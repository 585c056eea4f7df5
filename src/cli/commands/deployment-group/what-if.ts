import { command } from "../../command.ts";
import { deploymentBody, whatIfDeployment } from "../../template-deployments.ts";
import { groupDeploymentPath, groupTemplateOptions } from "./options.ts";

export const options = {
  ...groupTemplateOptions,
  "no-pretty-print": { type: "boolean", help: "Return the what-if result as JSON instead of printing the changes." },
} as const;

export const spec = command({
  path: ["deployment", "group", "what-if"],
  summary: "Show what a template deployment at a resource group would change.",
  options,
  examples: [{ text: "Preview the changes.", command: "keyless deployment group what-if -g rg-ai -f main.json -p accountName=ai1" }],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    const path = groupDeploymentPath(subscriptionId, opts);
    return whatIfDeployment(ctx, client, path, deploymentBody(opts, { mode: opts.mode }), opts["no-pretty-print"] !== true);
  },
});
