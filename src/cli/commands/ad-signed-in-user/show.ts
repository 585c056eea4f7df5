import { command } from "../../command.ts";

export const options = {} as const;

export const spec = command({
  path: ["ad", "signed-in-user", "show"],
  summary: "Get the details for the currently logged-in user.",
  options,
  examples: [{ text: "Your object id, as the walkthrough reads it.", command: "keyless ad signed-in-user show --query id -o tsv" }],
  async run(_opts, ctx) {
    const { client } = await ctx.client();
    return (await client.graph("GET", "/me")).body;
  },
});
