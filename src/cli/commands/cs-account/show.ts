import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { accountPath } from "../../arm-paths.ts";
import { command } from "../../command.ts";
import { accountOptions } from "./options.ts";

export const options = accountOptions;

export const spec = command({
  path: ["cognitiveservices", "account", "show"],
  summary: "Show a Cognitive Services account.",
  options,
  examples: [
    {
      text: "An account's endpoint.",
      command: "keyless cognitiveservices account show -n acct1 -g rg-ai --query properties.endpoint -o tsv",
    },
  ],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    return (
      await client.arm("GET", accountPath(subscriptionId, opts["resource-group"], opts.name), {
        query: { "api-version": API_VERSIONS.cognitive },
      })
    ).body;
  },
});
