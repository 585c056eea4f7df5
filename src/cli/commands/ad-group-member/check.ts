import { command } from "../../command.ts";
import { findGroup } from "../../graph-lookup.ts";

export const options = {
  group: { type: "string", short: "g", required: true, help: "The group's display name or object id." },
  "member-id": { type: "string", required: true, help: "The object id of the possible member." },
} as const;

export const spec = command({
  path: ["ad", "group", "member", "check"],
  summary: "Check whether an object is a member of a group, directly or through nested groups.",
  options,
  examples: [
    { text: "Is the user in the group?", command: "keyless ad group member check --group ai-devs --member-id $USER_OID --query value" },
  ],
  async run(opts, ctx) {
    const { client } = await ctx.client();
    const group = await findGroup(client, opts.group);
    const { body } = await client.graph("POST", `/directoryObjects/${opts["member-id"]}/checkMemberGroups`, {
      body: { groupIds: [group.id] },
    });
    return { value: ((body as { value: string[] }).value ?? []).includes(group.id) };
  },
});
