import { command } from "../../command.ts";
import { requireCloud, selectAccount } from "../../session.ts";

export const options = { subscription: { type: "string", short: "s", required: true, help: "Name or ID of subscription." } } as const;

export const spec = command({
  path: ["account", "set"],
  summary: "Set a subscription to be the current active subscription.",
  options,
  examples: [{ text: "Use a subscription by id.", command: "keyless account set -s 00000000-0000-0000-0000-000000000000" }],
  async run(opts, ctx) {
    const cloud = requireCloud(ctx.profile);
    ctx.profile.setDefaultAccount(cloud.name, selectAccount(ctx.profile, cloud, opts.subscription).id);
    return undefined;
  },
});
