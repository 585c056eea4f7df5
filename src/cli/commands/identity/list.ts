import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { resourceGroupPath } from "../../arm-paths.ts";
import { command } from "../../command.ts";

export const options = {
  "resource-group": { type: "string", short: "g", help: "Name of the resource group; default: the subscription." },
} as const;

export const spec = command({
  path: ["identity", "list"],
  summary: "List user-assigned managed identities.",
  options,
  examples: [{ text: "List identities.", command: "keyless identity list -g rg-ai -o table" }],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    const base = opts["resource-group"] ? resourceGroupPath(subscriptionId, opts["resource-group"]) : `/subscriptions/${subscriptionId}`;
    return client.list("arm", `${base}/providers/Microsoft.ManagedIdentity/userAssignedIdentities`, {
      "api-version": API_VERSIONS.identity,
    });
  },
});
