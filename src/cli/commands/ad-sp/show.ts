import { command } from "../../command.ts";
import { findServicePrincipal } from "../../graph-lookup.ts";

export const options = { id: { type: "string", required: true, help: "The app id, a service principal name, or the object id." } } as const;

export const spec = command({
  path: ["ad", "sp", "show"],
  summary: "Get the details of a service principal.",
  options,
  examples: [
    { text: "A service principal's object id, as the walkthrough reads it.", command: "keyless ad sp show --id $APP_ID --query id -o tsv" },
  ],
  async run(opts, ctx) {
    const { client } = await ctx.client();
    return findServicePrincipal(client, opts.id);
  },
});
