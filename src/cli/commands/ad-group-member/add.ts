import { command } from "../../command.ts";
import { findGroup } from "../../graph-lookup.ts";

export const options = {
  group: { type: "string", short: "g", required: true, help: "The group's display name or object id." },
  "member-id": { type: "string", required: true, help: "The object id of the user, group or service principal to add." },
} as const;

export const spec = command({
  path: ["ad", "group", "member", "add"],
  summary: "Add a member to a group.",
  options,
  examples: [{ text: "Add a user to a group.", command: "keyless ad group member add --group ai-devs --member-id $USER_OID" }],
  async run(opts, ctx) {
    const { client } = await ctx.client();
    const group = await findGroup(client, opts.group);
    await client.graph("POST", `/groups/${group.id}/members/$ref`, {
      body: { "@odata.id": `${client.url("graph", `/directoryObjects/${opts["member-id"]}`)}` },
    });
    return undefined;
  },
});
