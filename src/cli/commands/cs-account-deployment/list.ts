import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { accountPath } from "../../arm-paths.ts";
import { command } from "../../command.ts";
import { accountOptions } from "../cs-account/options.ts";

export const options = accountOptions;

export const spec = command({
  path: ["cognitiveservices", "account", "deployment", "list"],
  summary: "List an account's deployments.",
  options,
  examples: [{ text: "List deployments.", command: "keyless cognitiveservices account deployment list -n acct1 -g rg-ai -o table" }],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    return client.list("arm", `${accountPath(subscriptionId, opts["resource-group"], opts.name)}/deployments`, {
      "api-version": API_VERSIONS.cognitive,
    });
  },
});
