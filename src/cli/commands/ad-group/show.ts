import { command } from "../../command.ts";
import { findGroup } from "../../graph-lookup.ts";

export const options = { group: { type: "string", short: "g", required: true, help: "The group's display name or object id." } } as const;

export const spec = command({
  path: ["ad", "group", "show"],
  summary: "Get the details of a group.",
  options,
  examples: [
    { text: "A group's object id, as the walkthrough reads it.", command: "keyless ad group show --group ai-devs --query id -o tsv" },
  ],
  async run(opts, ctx) {
    const { client } = await ctx.client();
    return findGroup(client, opts.group);
  },
});
