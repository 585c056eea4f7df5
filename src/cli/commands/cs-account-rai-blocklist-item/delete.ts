import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { raiBlocklistPath } from "../../arm-paths.ts";
import { command } from "../../command.ts";

export const options = {
  name: { type: "string", short: "n", required: true, help: "The Cognitive Services account name." },
  "resource-group": { type: "string", short: "g", required: true, help: "Name of the resource group." },
  "blocklist-name": { type: "string", required: true, help: "The blocklist name." },
  "item-name": { type: "string", required: true, help: "The item name." },
} as const;

export const spec = command({
  path: ["cognitiveservices", "account", "rai-blocklist", "item", "delete"],
  summary: "Delete a blocklist item.",
  options,
  examples: [
    {
      text: "Delete a blocklist item.",
      command:
        "keyless cognitiveservices account rai-blocklist item delete -n acct1 -g rg-ai --blocklist-name codenames --item-name falcon",
    },
  ],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    const list = raiBlocklistPath(subscriptionId, opts["resource-group"], opts.name, opts["blocklist-name"]);
    await client.arm("DELETE", `${list}/raiBlocklistItems/${encodeURIComponent(opts["item-name"])}`, {
      query: { "api-version": API_VERSIONS.rai },
    });
    return undefined;
  },
});
