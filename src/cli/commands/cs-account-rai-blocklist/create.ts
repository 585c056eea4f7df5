import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { raiBlocklistPath } from "../../arm-paths.ts";
import { command } from "../../command.ts";
import { accountOptions } from "../cs-account/options.ts";

export const options = {
  ...accountOptions,
  "blocklist-name": { type: "string", required: true, help: "The blocklist name." },
  description: { type: "string", help: "What the blocklist is for." },
} as const;

export const spec = command({
  path: ["cognitiveservices", "account", "rai-blocklist", "create"],
  summary: "Create or update a content-filtering blocklist.",
  options,
  examples: [
    {
      text: "A blocklist for project code names.",
      command:
        "keyless cognitiveservices account rai-blocklist create -n acct1 -g rg-ai --blocklist-name codenames --description 'project names'",
    },
  ],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    return (
      await client.arm("PUT", raiBlocklistPath(subscriptionId, opts["resource-group"], opts.name, opts["blocklist-name"]), {
        query: { "api-version": API_VERSIONS.rai },
        body: { properties: { description: opts.description ?? "" } },
      })
    ).body;
  },
});
