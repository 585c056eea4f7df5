import { command } from "../../command.ts";
import { graphObjectTable } from "../../graph-lookup.ts";

export const options = {
  "display-name": { type: "string", help: "Only service principals whose display name starts with this." },
  spn: { type: "string", help: "Only the service principal with this name (an app id)." },
  filter: { type: "string", help: "An OData $filter." },
} as const;

export const spec = command({
  path: ["ad", "sp", "list"],
  summary: "List service principals.",
  options,
  examples: [{ text: "List service principals.", command: 'keyless ad sp list --query "[].{name:displayName,appId:appId}" -o table' }],
  async run(opts, ctx) {
    const { client } = await ctx.client();
    const filter =
      opts.filter ??
      (opts.spn
        ? `servicePrincipalNames/any(c:c eq '${opts.spn}')`
        : opts["display-name"]
          ? `startswith(displayName,'${opts["display-name"]}')`
          : undefined);
    return client.list("graph", "/servicePrincipals", { $filter: filter });
  },
  tableRows: graphObjectTable,
});
