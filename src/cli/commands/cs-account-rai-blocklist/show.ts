import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { raiBlocklistPath } from "../../arm-paths.ts";
import { command } from "../../command.ts";
import { accountOptions } from "../cs-account/options.ts";

export const options = {
  ...accountOptions,
  "blocklist-name": { type: "string", required: true, help: "The blocklist name." },
} as const;

export const spec = command({
  path: ["cognitiveservices", "account", "rai-blocklist", "show"],
  summary: "Show a blocklist.",
  options,
  examples: [
    {
      text: "Show a blocklist.",
      command: "keyless cognitiveservices account rai-blocklist show -n acct1 -g rg-ai --blocklist-name codenames",
    },
  ],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    const response = await client.arm("GET", raiBlocklistPath(subscriptionId, opts["resource-group"], opts.name, opts["blocklist-name"]), {
      query: { "api-version": API_VERSIONS.rai },
    });
    return response.body;
  },
});
