import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { raiPolicyPath } from "../../arm-paths.ts";
import { command } from "../../command.ts";
import { readJsonArray } from "../../rai-json.ts";
import { accountOptions } from "../cs-account/options.ts";

export const options = {
  ...accountOptions,
  "policy-name": { type: "string", required: true, help: "The content-filtering (RAI) policy name." },
  "base-policy-name": { type: "string", help: "The policy it starts from: Microsoft.DefaultV2 (default) or Microsoft.Default." },
  mode: { type: "string", help: "Stream screening mode.", choices: ["Default", "Deferred", "Blocking", "Asynchronous_filter"] },
  "content-filters": {
    type: "string",
    help: 'JSON array or @file: [{"name":"Hate","severityThreshold":"Low","blocking":true,"enabled":true,"source":"Prompt"}, …].',
  },
  "custom-blocklists": {
    type: "string",
    help: 'JSON array or @file: [{"blocklistName":"codenames","blocking":true,"source":"Prompt"}, …].',
  },
} as const;

export const spec = command({
  path: ["cognitiveservices", "account", "rai-policy", "create"],
  summary: "Create or replace a content-filtering (RAI) policy.",
  options,
  examples: [
    {
      text: "Block hate from low severity in prompts, and a blocklist.",
      command:
        'keyless cognitiveservices account rai-policy create -n acct1 -g rg-ai --policy-name strict --content-filters \'[{"name":"Hate","severityThreshold":"Low","blocking":true,"enabled":true,"source":"Prompt"}]\' --custom-blocklists \'[{"blocklistName":"codenames","blocking":true,"source":"Prompt"}]\'',
    },
  ],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    const properties = {
      basePolicyName: opts["base-policy-name"] ?? "Microsoft.DefaultV2",
      mode: opts.mode ?? "Default",
      contentFilters: opts["content-filters"] ? readJsonArray("content-filters", opts["content-filters"]) : [],
      customBlocklists: opts["custom-blocklists"] ? readJsonArray("custom-blocklists", opts["custom-blocklists"]) : [],
    };
    return (
      await client.arm("PUT", raiPolicyPath(subscriptionId, opts["resource-group"], opts.name, opts["policy-name"]), {
        query: { "api-version": API_VERSIONS.rai },
        body: { properties },
      })
    ).body;
  },
});
