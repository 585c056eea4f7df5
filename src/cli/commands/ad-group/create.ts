import { command } from "../../command.ts";

export const options = {
  "display-name": { type: "string", required: true, help: "The group's display name." },
  "mail-nickname": { type: "string", required: true, help: "Mail alias of the group." },
  description: { type: "string", help: "Description of the group." },
} as const;

export const spec = command({
  path: ["ad", "group", "create"],
  summary: "Create a security group.",
  options,
  examples: [{ text: "Create a group.", command: "keyless ad group create --display-name ai-devs --mail-nickname ai-devs" }],
  async run(opts, ctx) {
    const { client } = await ctx.client();
    const { body } = await client.graph("POST", "/groups", {
      body: {
        displayName: opts["display-name"],
        mailNickname: opts["mail-nickname"],
        mailEnabled: false,
        securityEnabled: true,
        ...(opts.description ? { description: opts.description } : {}),
      },
    });
    return body;
  },
});
