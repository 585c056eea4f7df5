import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { accountPath } from "../../arm-paths.ts";
import { command } from "../../command.ts";
import { accountOptions } from "../cs-account/options.ts";

export const options = {
  ...accountOptions,
  "key-name": { type: "string", required: true, help: "Which key to regenerate.", choices: ["key1", "key2"] },
} as const;

export const spec = command({
  path: ["cognitiveservices", "account", "keys", "regenerate"],
  summary: "Regenerate one API key of an account.",
  options,
  examples: [{ text: "Rotate key2.", command: "keyless cognitiveservices account keys regenerate -n acct1 -g rg-ai --key-name key2" }],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    const keyName = opts["key-name"] === "key1" ? "Key1" : "Key2";
    return (
      await client.arm("POST", `${accountPath(subscriptionId, opts["resource-group"], opts.name)}/regenerateKey`, {
        query: { "api-version": API_VERSIONS.cognitive },
        body: { keyName },
      })
    ).body;
  },
});
