import { NotFoundError } from "../../cli-error.ts";
import { command } from "../../command.ts";

export const options = { name: { type: "string", short: "n", required: true, help: "Name of a registered cloud." } } as const;

export const spec = command({
  path: ["cloud", "unregister"],
  summary: "Unregister a cloud and forget its accounts and tokens.",
  options,
  examples: [{ text: "Forget the cloud named old.", command: "keyless cloud unregister -n old" }],
  async run(opts, ctx) {
    if (!ctx.profile.cloud(opts.name)) throw new NotFoundError(`The cloud '${opts.name}' is not registered.`, "CloudNotFound");
    ctx.profile.removeCloud(opts.name);
    return undefined;
  },
});
