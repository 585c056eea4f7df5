import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { command } from "../../command.ts";
import { blocklistOptions, blocklistPath } from "./options.ts";

export const options = blocklistOptions;

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
    const list = blocklistPath(subscriptionId, opts);
    return client.list("arm", `${list}/raiBlocklistItems`, { "api-version": API_VERSIONS.rai });
  },
});
