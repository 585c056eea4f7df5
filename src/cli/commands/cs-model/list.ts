import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { command } from "../../command.ts";

export const options = { location: { type: "string", short: "l", required: true, help: "Location, e.g. eastus." } } as const;

export const spec = command({
  path: ["cognitiveservices", "model", "list"],
  summary: "List the models available in a location.",
  options,
  examples: [
    {
      text: "Model names and versions.",
      command:
        'keyless cognitiveservices model list -l eastus --query "[].{name:model.name,version:model.version,format:model.format}" -o table',
    },
  ],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    return client.list(
      "arm",
      `/subscriptions/${subscriptionId}/providers/Microsoft.CognitiveServices/locations/${encodeURIComponent(opts.location)}/models`,
      { "api-version": API_VERSIONS.cognitive },
    );
  },
});
