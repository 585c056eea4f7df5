import { deploymentName, templateDeploymentPath, templateOptions } from "../../template-deployments.ts";

/** The options of `deployment group create|validate|what-if`: the group, the template and its parameters, the mode. */
export const groupTemplateOptions = {
  "resource-group": { type: "string", short: "g", required: true, help: "Name of the resource group." },
  ...templateOptions,
  mode: {
    type: "string",
    help: "Incremental (default) or Complete (deletes what the template does not name).",
    choices: ["Incremental", "Complete"],
  },
} as const;

/** The deployment's ARM path: `--name`, or the template file's base name, at the group. */
export function groupDeploymentPath(
  subscriptionId: string,
  opts: { "resource-group": string; name?: string | undefined; "template-file": string },
): string {
  return templateDeploymentPath({ subscriptionId, group: opts["resource-group"] }, deploymentName(opts.name, opts["template-file"]));
}
