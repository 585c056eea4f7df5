import { command } from "../../command.ts";
import { graphObjectTable } from "../../graph-lookup.ts";

export const options = {
  "display-name": { type: "string", help: "Only applications whose display name starts with this." },
  "app-id": { type: "string", help: "Only the application with this app id." },
} as const;

export const spec = command({
  path: ["ad", "app", "list"],
  summary: "List applications.",
  options,
  examples: [{ text: "List applications.", command: 'keyless ad app list --query "[].{name:displayName,appId:appId}" -o table' }],
  async run(opts, ctx) {
    const { client } = await ctx.client();
    const filter = opts["app-id"]
      ? `appId eq '${opts["app-id"]}'`
      : opts["display-name"]
        ? `startswith(displayName,'${opts["display-name"]}')`
        : undefined;
    return client.list("graph", "/applications", { $filter: filter });
  },
  tableRows: graphObjectTable,
});
