import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { awaitArmOperation, deploymentPath } from "../../arm-paths.ts";
import { command } from "../../command.ts";
import { accountOptions } from "../cs-account/options.ts";

export const options = {
  ...accountOptions,
  "deployment-name": { type: "string", required: true, help: "The deployment name." },
} as const;

export const spec = command({
  path: ["cognitiveservices", "account", "deployment", "delete"],
  summary: "Delete a deployment.",
  options,
  examples: [
    {
      text: "Delete a deployment.",
      command: "keyless cognitiveservices account deployment delete -n acct1 -g rg-ai --deployment-name chat",
    },
  ],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    const response = await client.arm(
      "DELETE",
      deploymentPath(subscriptionId, opts["resource-group"], opts.name, opts["deployment-name"]),
      { query: { "api-version": API_VERSIONS.cognitive } },
    );
    await awaitArmOperation(ctx, client, response);
    return undefined;
  },
});
