import { command } from "../../command.ts";
import { findGroup } from "../../graph-lookup.ts";

export const options = {
  group: { type: "string", short: "g", required: true, help: "The group's display name or object id." },
  "member-id": { type: "string", required: true, help: "The object id of the member to remove." },
} as const;

export const spec = command({
  path: ["ad", "group", "member", "remove"],
  summary: "Remove a member from a group.",
  options,
  examples: [{ text: "Remove a user from a group.", command: "keyless ad group member remove --group ai-devs --member-id $USER_OID" }],
  async run(opts, ctx) {
    const { client } = await ctx.client();
    const group = await findGroup(client, opts.group);
    await client.graph("DELETE", `/groups/${group.id}/members/${opts["member-id"]}/$ref`);
    return undefined;
  },
});
