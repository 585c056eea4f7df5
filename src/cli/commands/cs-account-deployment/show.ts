import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { deploymentPath } from "../../arm-paths.ts";
import { command } from "../../command.ts";
import { accountOptions } from "../cs-account/options.ts";

export const options = {
  ...accountOptions,
  "deployment-name": { type: "string", required: true, help: "The deployment name." },
} as const;

export const spec = command({
  path: ["cognitiveservices", "account", "deployment", "show"],
  summary: "Show a deployment.",
  options,
  examples: [
    {
      text: "A deployment's model.",
      command: "keyless cognitiveservices account deployment show -n acct1 -g rg-ai --deployment-name chat --query properties.model",
    },
  ],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    return (
      await client.arm("GET", deploymentPath(subscriptionId, opts["resource-group"], opts.name, opts["deployment-name"]), {
        query: { "api-version": API_VERSIONS.cognitive },
      })
    ).body;
  },
});
