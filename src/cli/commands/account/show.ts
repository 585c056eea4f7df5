import { command } from "../../command.ts";
import { requireCloud, selectAccount } from "../../session.ts";

export const options = { name: { type: "string", short: "n", help: "Name or ID of subscription; default: the current one." } } as const;

export const spec = command({
  path: ["account", "show"],
  summary: "Get the details of a subscription.",
  options,
  examples: [{ text: "Show the current subscription's id.", command: "keyless account show --query id -o tsv" }],
  async run(opts, ctx) {
    return selectAccount(ctx.profile, requireCloud(ctx.profile), opts.name);
  },
});
