import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { accountPath } from "../../arm-paths.ts";
import { command } from "../../command.ts";

export const options = {
  name: { type: "string", short: "n", required: true, help: "The Cognitive Services account name." },
  "resource-group": { type: "string", short: "g", required: true, help: "Name of the resource group." },
} as const;

export const spec = command({
  path: ["cognitiveservices", "account", "rai-blocklist", "list"],
  summary: "List an account's blocklists.",
  options,
  examples: [{ text: "List an account's blocklists.", command: "keyless cognitiveservices account rai-blocklist list -n acct1 -g rg-ai" }],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    return client.list("arm", `${accountPath(subscriptionId, opts["resource-group"], opts.name)}/raiBlocklists`, {
      "api-version": API_VERSIONS.rai,
    });
  },
});
