import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { accountPath, awaitArmOperation } from "../../arm-paths.ts";
import { command } from "../../command.ts";
import { accountOptions } from "./options.ts";

export const options = accountOptions;

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
