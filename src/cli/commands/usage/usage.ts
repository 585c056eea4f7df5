import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { accountPath } from "../../arm-paths.ts";
import { callLogQuery, callLogWindow } from "../../call-log-options.ts";
import { command } from "../../command.ts";
import { accountOptions } from "../cs-account/options.ts";
import { quotaRows } from "../quota/list.ts";

export const options = {
  ...accountOptions,
  ...callLogWindow,
  quotas: { type: "boolean", help: "Show the account's principal quotas instead: budget, spent this window, remaining, reset time." },
} as const;

export const spec = command({
  path: ["usage"],
  summary: "Tokens and calls per principal × deployment × day (UTC) of an account, from the call log.",
  options,
  examples: [
    { text: "The last 30 days as a table.", command: "keyless usage -n acct1 -g rg-ai --offset 30d -o table" },
    { text: "One principal, for a spreadsheet.", command: "keyless usage -n acct1 -g rg-ai --principal <object-id> -o csv > usage.csv" },
  ],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    const account = accountPath(subscriptionId, opts["resource-group"], opts.name);
    if (opts.quotas) {
      const quotas = await client.list("arm", `${account}/principalQuotas`, { "api-version": API_VERSIONS.cognitive });
      return quotaRows(quotas as { name: string; properties: Record<string, unknown> }[]);
    }
    return client.list("arm", `${account}/callUsage`, {
      "api-version": API_VERSIONS.cognitive,
      ...callLogQuery(opts, "30d"),
    });
  },
});
