import { command } from "../../command.ts";
import { deploymentBody, deploymentName, templateDeploymentPath, templateOptions, whatIfDeployment } from "../../template-deployments.ts";

export const options = {
  "resource-group": { type: "string", short: "g", required: true, help: "Name of the resource group." },
  ...templateOptions,
  mode: {
    type: "string",
    help: "Incremental (default) or Complete (deletes what the template does not name).",
    choices: ["Incremental", "Complete"],
  },
  "no-pretty-print": { type: "boolean", help: "Return the what-if result as JSON instead of printing the changes." },
} as const;

export const spec = command({
  path: ["deployment", "group", "what-if"],
  summary: "Show what a template deployment at a resource group would change.",
  options,
  examples: [{ text: "Preview the changes.", command: "keyless deployment group what-if -g rg-ai -f main.json -p accountName=ai1" }],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    const path = templateDeploymentPath(
      { subscriptionId, group: opts["resource-group"] },
      deploymentName(opts.name, opts["template-file"]),
    );
    return whatIfDeployment(ctx, client, path, deploymentBody(opts, { mode: opts.mode }), opts["no-pretty-print"] !== true);
  },
});
