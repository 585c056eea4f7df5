import { command } from "../../command.ts";
import { userPath } from "../../graph-lookup.ts";

export const options = { id: { type: "string", required: true, help: "The user's principal name or object id." } } as const;

export const spec = command({
  path: ["ad", "user", "show"],
  summary: "Get the details of a user.",
  options,
  examples: [{ text: "A user's object id.", command: "keyless ad user show --id alice@contoso.keyless --query id -o tsv" }],
  async run(opts, ctx) {
    const { client } = await ctx.client();
    return (await client.graph("GET", userPath(opts.id))).body;
  },
});
