import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { raiBlocklistPath } from "../../arm-paths.ts";
import { command } from "../../command.ts";

export const options = {
  name: { type: "string", short: "n", required: true, help: "The Cognitive Services account name." },
  "resource-group": { type: "string", short: "g", required: true, help: "Name of the resource group." },
  "blocklist-name": { type: "string", required: true, help: "The blocklist name." },
} as const;

export const spec = command({
  path: ["cognitiveservices", "account", "rai-blocklist", "item", "list"],
  summary: "List a blocklist's items.",
  options,
  examples: [
    {
      text: "List the items.",
      command: "keyless cognitiveservices account rai-blocklist item list -n acct1 -g rg-ai --blocklist-name codenames -o table",
    },
  ],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    const list = raiBlocklistPath(subscriptionId, opts["resource-group"], opts.name, opts["blocklist-name"]);
    return client.list("arm", `${list}/raiBlocklistItems`, { "api-version": API_VERSIONS.rai });
  },
});
