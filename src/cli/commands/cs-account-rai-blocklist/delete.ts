import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { raiBlocklistPath } from "../../arm-paths.ts";
import { command } from "../../command.ts";
import { accountOptions } from "../cs-account/options.ts";

export const options = {
  ...accountOptions,
  "blocklist-name": { type: "string", required: true, help: "The blocklist name." },
} as const;

export const spec = command({
  path: ["cognitiveservices", "account", "rai-blocklist", "delete"],
  summary: "Delete a blocklist no policy names, with its items.",
  options,
  examples: [
    {
      text: "Delete a blocklist no policy names, with its items.",
      command: "keyless cognitiveservices account rai-blocklist delete -n acct1 -g rg-ai --blocklist-name codenames",
    },
  ],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    await client.arm("DELETE", raiBlocklistPath(subscriptionId, opts["resource-group"], opts.name, opts["blocklist-name"]), {
      query: { "api-version": API_VERSIONS.rai },
    });
    return undefined;
  },
});
