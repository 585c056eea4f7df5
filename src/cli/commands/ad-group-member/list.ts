import { command } from "../../command.ts";
import { findGroup } from "../../graph-lookup.ts";

export const options = { group: { type: "string", short: "g", required: true, help: "The group's display name or object id." } } as const;

export const spec = command({
  path: ["ad", "group", "member", "list"],
  summary: "List a group's direct members.",
  options,
  examples: [{ text: "List members.", command: "keyless ad group member list --group ai-devs --query [].displayName" }],
  async run(opts, ctx) {
    const { client } = await ctx.client();
    const group = await findGroup(client, opts.group);
    return client.list("graph", `/groups/${group.id}/members`);
  },
});
