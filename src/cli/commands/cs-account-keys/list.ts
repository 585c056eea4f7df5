import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { accountPath } from "../../arm-paths.ts";
import { command } from "../../command.ts";

export const options = {
  name: { type: "string", short: "n", required: true, help: "The Cognitive Services account name." },
  "resource-group": { type: "string", short: "g", required: true, help: "Name of the resource group." },
} as const;

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
