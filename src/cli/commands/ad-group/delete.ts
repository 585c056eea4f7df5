import { command } from "../../command.ts";
import { findGroup } from "../../graph-lookup.ts";

export const options = { group: { type: "string", short: "g", required: true, help: "The group's display name or object id." } } as const;

export const spec = command({
  path: ["ad", "group", "delete"],
  summary: "Delete a group.",
  options,
  examples: [{ text: "Delete a group.", command: "keyless ad group delete --group ai-devs" }],
  async run(opts, ctx) {
    const { client } = await ctx.client();
    const group = await findGroup(client, opts.group);
    await client.graph("DELETE", `/groups/${group.id}`);
    return undefined;
  },
});
