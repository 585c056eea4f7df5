import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { raiPolicyPath } from "../../arm-paths.ts";
import { command } from "../../command.ts";
import { accountOptions } from "../cs-account/options.ts";

export const options = {
  ...accountOptions,
  "policy-name": { type: "string", required: true, help: "The policy name." },
} as const;

export const spec = command({
  path: ["cognitiveservices", "account", "rai-policy", "delete"],
  summary: "Delete a content-filtering policy no deployment uses.",
  options,
  examples: [
    {
      text: "Delete a content-filtering policy no deployment uses.",
      command: "keyless cognitiveservices account rai-policy delete -n acct1 -g rg-ai --policy-name strict",
    },
  ],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    await client.arm("DELETE", raiPolicyPath(subscriptionId, opts["resource-group"], opts.name, opts["policy-name"]), {
      query: { "api-version": API_VERSIONS.rai },
    });
    return undefined;
  },
});
