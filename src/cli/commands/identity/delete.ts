import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { identityPath } from "../../arm-paths.ts";
import { command } from "../../command.ts";

export const options = {
  name: { type: "string", short: "n", required: true, help: "The identity's name." },
  "resource-group": { type: "string", short: "g", required: true, help: "Name of the resource group." },
} as const;

export const spec = command({
  path: ["identity", "delete"],
  summary: "Delete a user-assigned managed identity.",
  options,
  examples: [{ text: "Delete an identity.", command: "keyless identity delete -n app-id -g rg-ai" }],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    await client.arm("DELETE", identityPath(subscriptionId, opts["resource-group"], opts.name), {
      query: { "api-version": API_VERSIONS.identity },
    });
    return undefined;
  },
});
