import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { parseTags, resourceGroupPath } from "../../arm-paths.ts";
import { command } from "../../command.ts";

export const options = {
  name: { type: "string", short: "n", required: true, help: "Name of the new resource group." },
  location: { type: "string", short: "l", required: true, help: "Location, e.g. eastus." },
  tags: { type: "string", multiple: true, help: "Space-separated tags: key[=value] (repeat --tags for each)." },
} as const;

export const spec = command({
  path: ["group", "create"],
  summary: "Create a new resource group.",
  options,
  examples: [{ text: "Create a resource group in eastus.", command: "keyless group create -n rg-ai -l eastus" }],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    const tags = parseTags(opts.tags);
    const { body } = await client.arm("PUT", resourceGroupPath(subscriptionId, opts.name), {
      query: { "api-version": API_VERSIONS.resources },
      body: { location: opts.location, ...(tags ? { tags } : {}) },
    });
    return body;
  },
});
