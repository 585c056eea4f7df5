import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { accountPath } from "../../arm-paths.ts";
import { command } from "../../command.ts";
import { accountOptions } from "../cs-account/options.ts";

export const options = accountOptions;

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
