import { deploymentName, templateDeploymentPath, templateOptions } from "../../template-deployments.ts";

/** The options of `deployment sub create|validate|what-if`: the template and its parameters, where the record is kept. */
export const subTemplateOptions = {
  ...templateOptions,
  location: { type: "string", short: "l", required: true, help: "Where the deployment record is kept, e.g. westeurope." },
} as const;

/** The deployment's ARM path: `--name`, or the template file's base name, at the subscription. */
export function subDeploymentPath(subscriptionId: string, opts: { name?: string | undefined; "template-file": string }): string {
  return templateDeploymentPath({ subscriptionId, group: undefined }, deploymentName(opts.name, opts["template-file"]));
}
