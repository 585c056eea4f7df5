import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { resourceGroupPath } from "../../arm-paths.ts";
import { command } from "../../command.ts";

export const options = {
  "resource-group": { type: "string", short: "g", help: "Name of the resource group; default: the whole subscription." },
  "resource-type": { type: "string", help: "Only resources of this type, e.g. Microsoft.CognitiveServices/accounts." },
  name: { type: "string", short: "n", help: "Only resources with this name." },
} as const;

export const spec = command({
  path: ["resource", "list"],
  summary: "List resources.",
  options,
  examples: [
    {
      text: "List the Cognitive Services accounts of a group.",
      command: "keyless resource list -g rg-ai --resource-type Microsoft.CognitiveServices/accounts -o table",
    },
  ],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    const base = opts["resource-group"] ? resourceGroupPath(subscriptionId, opts["resource-group"]) : `/subscriptions/${subscriptionId}`;
    const filters = [
      ...(opts["resource-type"] ? [`resourceType eq '${opts["resource-type"]}'`] : []),
      ...(opts.name ? [`name eq '${opts.name}'`] : []),
    ];
    return client.list("arm", `${base}/resources`, {
      "api-version": API_VERSIONS.resources,
      $filter: filters.length ? filters.join(" and ") : undefined,
    });
  },
});
