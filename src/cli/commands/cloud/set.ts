import { NotFoundError } from "../../cli-error.ts";
import { command } from "../../command.ts";

export const options = { name: { type: "string", short: "n", required: true, help: "Name of a registered cloud." } } as const;

export const spec = command({
  path: ["cloud", "set"],
  summary: "Set the active cloud.",
  options,
  examples: [{ text: "Switch to the cloud named staging.", command: "keyless cloud set -n staging" }],
  async run(opts, ctx) {
    const cloud = ctx.profile.cloud(opts.name);
    if (!cloud)
      throw new NotFoundError(
        `The cloud '${opts.name}' is not registered. Run 'keyless cloud register -n ${opts.name} --endpoint URL' first.`,
        "CloudNotFound",
      );
    ctx.profile.setActiveCloud(cloud.name);
    return undefined;
  },
});
