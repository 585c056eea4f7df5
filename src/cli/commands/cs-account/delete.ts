import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { accountPath, awaitArmOperation } from "../../arm-paths.ts";
import { command } from "../../command.ts";

export const options = {
  name: { type: "string", short: "n", required: true, help: "The Cognitive Services account name." },
  "resource-group": { type: "string", short: "g", required: true, help: "Name of the resource group." },
} as const;

export const spec = command({
  path: ["cognitiveservices", "account", "delete"],
  summary: "Delete a Cognitive Services account.",
  options,
  examples: [{ text: "Delete an account.", command: "keyless cognitiveservices account delete -n acct1 -g rg-ai" }],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    const response = await client.arm("DELETE", accountPath(subscriptionId, opts["resource-group"], opts.name), {
      query: { "api-version": API_VERSIONS.cognitive },
    });
    await awaitArmOperation(ctx, client, response);
    return undefined;
  },
});
