import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { command } from "../../command.ts";
import { itemOptions, itemPath } from "./options.ts";

export const options = itemOptions;

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
    await client.arm("DELETE", itemPath(subscriptionId, opts), {
      query: { "api-version": API_VERSIONS.rai },
    });
    return undefined;
  },
});
