import { NotFoundError } from "../../cli-error.ts";
import { command } from "../../command.ts";
import { requireCloud } from "../../session.ts";

export const options = { name: { type: "string", short: "n", help: "Name of a registered cloud; default: the active one." } } as const;

export const spec = command({
  path: ["cloud", "show"],
  summary: "Get the details of a registered cloud.",
  options,
  examples: [{ text: "Show the active cloud.", command: "keyless cloud show" }],
  async run(opts, ctx) {
    const cloud = opts.name ? ctx.profile.cloud(opts.name) : requireCloud(ctx.profile);
    if (!cloud) throw new NotFoundError(`The cloud '${opts.name}' is not registered. Run 'keyless cloud list'.`, "CloudNotFound");
    return {
      isActive: ctx.profile.activeCloud()?.name === cloud.name,
      name: cloud.name,
      endpoint: cloud.endpoint,
      caPath: cloud.caPath ?? null,
    };
  },
});
