import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { accountPath } from "../../arm-paths.ts";
import { command } from "../../command.ts";
import { accountOptions } from "../cs-account/options.ts";

export const options = {
  ...accountOptions,
  "quota-name": { type: "string", required: true, help: "The quota's name." },
} as const;

export const spec = command({
  path: ["quota", "delete"],
  summary: "Delete a principal token quota.",
  options,
  examples: [{ text: "Lift a quota.", command: "keyless quota delete -n acct1 -g rg-ai --quota-name team-a" }],
  async run(opts, ctx) {
    const { client, subscriptionId } = await ctx.client();
    await client.arm(
      "DELETE",
      `${accountPath(subscriptionId, opts["resource-group"], opts.name)}/principalQuotas/${encodeURIComponent(opts["quota-name"])}`,
      {
        query: { "api-version": API_VERSIONS.cognitive },
      },
    );
    return undefined;
  },
});
