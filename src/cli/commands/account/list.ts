import { command } from "../../command.ts";
import { requireCloud } from "../../session.ts";

export const options = { all: { type: "boolean", help: "List all subscriptions, across all clouds." } } as const;

export const spec = command({
  path: ["account", "list"],
  summary: "Get a list of subscriptions for the logged in account.",
  options,
  examples: [{ text: "List subscriptions as a table.", command: "keyless account list -o table" }],
  async run(opts, ctx) {
    if (opts.all) return ctx.profile.clouds().flatMap((c) => ctx.profile.accounts(c.name));
    return ctx.profile.accounts(requireCloud(ctx.profile).name);
  },
  tableRows: (result) =>
    (result as { name: string; cloudName: string; id: string; tenantId: string; state: string; isDefault: boolean }[]).map((a) => ({
      Name: a.name,
      CloudName: a.cloudName,
      SubscriptionId: a.id,
      TenantId: a.tenantId,
      State: a.state,
      IsDefault: a.isDefault,
    })),
});
