import { API_VERSIONS } from "../../../client/keyless-client.ts";
import { awaitArmOperation, resourceGroupPath } from "../../arm-paths.ts";
import { CliError } from "../../cli-error.ts";
import { command } from "../../command.ts";

export const options = {
  name: { type: "string", short: "n", required: true, help: "Name of the resource group." },
  yes: { type: "boolean", short: "y", help: "Do not prompt for confirmation." },
  "no-wait": { type: "boolean", help: "Do not wait for the long-running operation to finish." },
} as const;

export const spec = command({
  path: ["group", "delete"],
  summary: "Delete a resource group and everything in it.",
  options,
  examples: [{ text: "Delete a resource group without a prompt.", command: "keyless group delete -n rg-ai --yes" }],
  async run(opts, ctx) {
    if (!opts.yes) {
      ctx.io.stderr(`Are you sure you want to perform this operation? (y/n): `);
      const answer = await ctx.io.readLine?.();
      if (!answer || !/^y(es)?$/i.test(answer.trim()))
        throw new CliError("Operation cancelled. Pass --yes to delete without a prompt.", { code: "Cancelled" });
    }
    const { client, subscriptionId } = await ctx.client();
    const response = await client.arm("DELETE", resourceGroupPath(subscriptionId, opts.name), {
      query: { "api-version": API_VERSIONS.resources },
    });
    if (!opts["no-wait"]) await awaitArmOperation(ctx, client, response);
    return undefined;
  },
});
