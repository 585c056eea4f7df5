import { command } from "../../command.ts";
import { deploymentBody, whatIfDeployment } from "../../template-deployments.ts";
import { subDeploymentPath, subTemplateOptions } from "./options.ts";

export const options = {
  ...subTemplateOptions,
  "no-pretty-print": { type: "boolean", help: "Return the what-if result as JSON instead of printing the changes." },
} as const;

export const spec = command({
  path: ["deployment", "sub", "what-if"],
  summary: "Show what a template deployment at the subscription would change.",
  options,
  examples: [{ text: "Preview the changes.", command: "keyless deployment sub what-if -l westeurope -f main.json -p accountName=ai1" }],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    const path = subDeploymentPath(subscriptionId, opts);
    return whatIfDeployment(ctx, client, path, deploymentBody(opts, { location: opts.location }), opts["no-pretty-print"] !== true);
  },
});
