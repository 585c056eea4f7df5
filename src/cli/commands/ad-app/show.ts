import { command } from "../../command.ts";
import { findApplication } from "../../graph-lookup.ts";

export const options = { id: { type: "string", required: true, help: "The app id or object id." } } as const;

export const spec = command({
  path: ["ad", "app", "show"],
  summary: "Get the details of an application.",
  options,
  examples: [{ text: "Show an application.", command: "keyless ad app show --id $APP_ID" }],
  async run(opts, ctx) {
    const { client } = await ctx.client();
    return findApplication(client, opts.id);
  },
});
