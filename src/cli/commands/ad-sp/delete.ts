import { command } from "../../command.ts";
import { findServicePrincipal } from "../../graph-lookup.ts";

export const options = { id: { type: "string", required: true, help: "The app id, a service principal name, or the object id." } } as const;

export const spec = command({
  path: ["ad", "sp", "delete"],
  summary: "Delete a service principal.",
  options,
  examples: [{ text: "Delete a service principal.", command: "keyless ad sp delete --id $APP_ID" }],
  async run(opts, ctx) {
    const { client } = await ctx.client();
    const sp = await findServicePrincipal(client, opts.id);
    await client.graph("DELETE", `/servicePrincipals/${sp.id}`);
    return undefined;
  },
});
