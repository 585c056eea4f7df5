import { command } from "../../command.ts";
import { deploymentBody, deploymentName, templateDeploymentPath, templateOptions, whatIfDeployment } from "../../template-deployments.ts";

export const options = {
  ...templateOptions,
  location: { type: "string", short: "l", required: true, help: "Where the deployment record is kept, e.g. westeurope." },
  "no-pretty-print": { type: "boolean", help: "Return the what-if result as JSON instead of printing the changes." },
} as const;

export const spec = command({
  path: ["deployment", "sub", "what-if"],
  summary: "Show what a template deployment at the subscription would change.",
  options,
  examples: [{ text: "Preview the changes.", command: "keyless deployment sub what-if -l westeurope -f main.json -p accountName=ai1" }],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    const path = templateDeploymentPath({ subscriptionId, group: undefined }, deploymentName(opts.name, opts["template-file"]));
    return whatIfDeployment(ctx, client, path, deploymentBody(opts, { location: opts.location }), opts["no-pretty-print"] !== true);
  },
});
