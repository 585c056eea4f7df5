import { command } from "../../command.ts";
import { findApplication } from "../../graph-lookup.ts";

export const options = { id: { type: "string", required: true, help: "The application's app id or object id." } } as const;

export const spec = command({
  path: ["ad", "sp", "create"],
  summary: "Create a service principal for an application.",
  options,
  examples: [{ text: "Create the service principal of an app.", command: "keyless ad sp create --id $APP_ID" }],
  async run(opts, ctx) {
    const { client } = await ctx.client();
    const app = await findApplication(client, opts.id);
    return (await client.graph("POST", "/servicePrincipals", { body: { appId: app.appId } })).body;
  },
});
