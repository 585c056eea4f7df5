import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { accountPath } from "../../arm-paths.ts";
import { command } from "../../command.ts";
import { accountOptions } from "../cs-account/options.ts";

export const options = accountOptions;

export const spec = command({
  path: ["cognitiveservices", "account", "keys", "list"],
  summary: "List the API keys of an account.",
  options,
  examples: [{ text: "The first key.", command: "keyless cognitiveservices account keys list -n acct1 -g rg-ai --query key1 -o tsv" }],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    return (
      await client.arm("POST", `${accountPath(subscriptionId, opts["resource-group"], opts.name)}/listKeys`, {
        query: { "api-version": API_VERSIONS.cognitive },
      })
    ).body;
  },
});
