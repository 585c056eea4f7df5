import { command } from "../../command.ts";

export const options = { "display-name": { type: "string", required: true, help: "The application's display name." } } as const;

export const spec = command({
  path: ["ad", "app", "create"],
  summary: "Create an application registration.",
  options,
  examples: [
    { text: "Register an application and print its app id.", command: "keyless ad app create --display-name my-app --query appId -o tsv" },
  ],
  async run(opts, ctx) {
    const { client } = await ctx.client();
    return (await client.graph("POST", "/applications", { body: { displayName: opts["display-name"] } })).body;
  },
});
