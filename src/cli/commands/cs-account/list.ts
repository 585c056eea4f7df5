import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { resourceGroupPath } from "../../arm-paths.ts";
import { command } from "../../command.ts";

export const options = {
  "resource-group": { type: "string", short: "g", help: "Name of the resource group; default: the subscription." },
} as const;

export const spec = command({
  path: ["cognitiveservices", "account", "list"],
  summary: "List Cognitive Services accounts.",
  options,
  examples: [{ text: "List accounts.", command: "keyless cognitiveservices account list -g rg-ai -o table" }],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    const base = opts["resource-group"] ? resourceGroupPath(subscriptionId, opts["resource-group"]) : `/subscriptions/${subscriptionId}`;
    return client.list("arm", `${base}/providers/Microsoft.CognitiveServices/accounts`, { "api-version": API_VERSIONS.cognitive });
  },
});
