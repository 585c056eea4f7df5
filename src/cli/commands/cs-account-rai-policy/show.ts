import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { raiPolicyPath } from "../../arm-paths.ts";
import { command } from "../../command.ts";
import { accountOptions } from "../cs-account/options.ts";

export const options = {
  ...accountOptions,
  "policy-name": { type: "string", required: true, help: "The policy name." },
} as const;

export const spec = command({
  path: ["cognitiveservices", "account", "rai-policy", "show"],
  summary: "Show a content-filtering policy.",
  options,
  examples: [
    {
      text: "Show a content-filtering policy.",
      command: "keyless cognitiveservices account rai-policy show -n acct1 -g rg-ai --policy-name Microsoft.DefaultV2",
    },
  ],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    const response = await client.arm("GET", raiPolicyPath(subscriptionId, opts["resource-group"], opts.name, opts["policy-name"]), {
      query: { "api-version": API_VERSIONS.rai },
    });
    return response.body;
  },
});
