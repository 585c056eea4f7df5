import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { identityPath, parseTags } from "../../arm-paths.ts";
import { command } from "../../command.ts";

export const options = {
  name: { type: "string", short: "n", required: true, help: "The identity's name." },
  "resource-group": { type: "string", short: "g", required: true, help: "Name of the resource group." },
  location: { type: "string", short: "l", help: "Location; default: the resource group's." },
  tags: { type: "string", multiple: true, help: "Tags: key[=value]." },
} as const;

export const spec = command({
  path: ["identity", "create"],
  summary: "Create a user-assigned managed identity.",
  options,
  examples: [{ text: "Create an identity.", command: "keyless identity create -n app-id -g rg-ai" }],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    const location =
      opts.location ??
      (
        (
          await client.arm("GET", `/subscriptions/${subscriptionId}/resourcegroups/${opts["resource-group"]}`, {
            query: { "api-version": API_VERSIONS.resources },
          })
        ).body as { location: string }
      ).location;
    const tags = parseTags(opts.tags);
    return (
      await client.arm("PUT", identityPath(subscriptionId, opts["resource-group"], opts.name), {
        query: { "api-version": API_VERSIONS.identity },
        body: { location, ...(tags ? { tags } : {}) },
      })
    ).body;
  },
});
