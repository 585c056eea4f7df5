import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { accountPath } from "../../arm-paths.ts";
import { command } from "../../command.ts";
import { accountOptions } from "../cs-account/options.ts";

export const options = accountOptions;

/** Each quota flat: who, where, the budget and what its current window has spent. */
export function quotaRows(quotas: { name: string; properties: Record<string, unknown> }[]) {
  return quotas.map((q) => ({ name: q.name, ...q.properties }));
}

export const spec = command({
  path: ["quota", "list"],
  summary: "List an account's principal token quotas with what each has spent in its current window and when it resets.",
  options,
  examples: [{ text: "Quotas as a table.", command: "keyless quota list -n acct1 -g rg-ai -o table" }],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    const quotas = await client.list("arm", `${accountPath(subscriptionId, opts["resource-group"], opts.name)}/principalQuotas`, {
      "api-version": API_VERSIONS.cognitive,
    });
    return quotaRows(quotas as { name: string; properties: Record<string, unknown> }[]);
  },
});
