import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { command } from "../../command.ts";
import { itemOptions, itemPath } from "./options.ts";

export const options = itemOptions;

export const spec = command({
  path: ["cognitiveservices", "account", "rai-blocklist", "item", "show"],
  summary: "Show a blocklist item.",
  options,
  examples: [
    {
      text: "Show a blocklist item.",
      command: "keyless cognitiveservices account rai-blocklist item show -n acct1 -g rg-ai --blocklist-name codenames --item-name falcon",
    },
  ],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    const response = await client.arm("GET", itemPath(subscriptionId, opts), {
      query: { "api-version": API_VERSIONS.rai },
    });
    return response.body;
  },
});
