import { command } from "../../command.ts";
import { userPath } from "../../graph-lookup.ts";

export const options = { id: { type: "string", required: true, help: "The user's principal name or object id." } } as const;

export const spec = command({
  path: ["ad", "user", "delete"],
  summary: "Delete a user.",
  options,
  examples: [{ text: "Delete a user.", command: "keyless ad user delete --id alice@contoso.keyless" }],
  async run(opts, ctx) {
    const { client } = await ctx.client();
    await client.graph("DELETE", userPath(opts.id));
    return undefined;
  },
});
