import { command } from "../../command.ts";

export const options = {
  upn: { type: "string", help: "Only the user with this user principal name." },
  "display-name": { type: "string", help: "Only users whose display name starts with this." },
  filter: { type: "string", help: "An OData $filter." },
} as const;

export const spec = command({
  path: ["ad", "user", "list"],
  summary: "List users.",
  options,
  examples: [
    { text: "List users as a table.", command: 'keyless ad user list -o table --query "[].{upn:userPrincipalName,name:displayName}"' },
  ],
  async run(opts, ctx) {
    const { client } = await ctx.client();
    const filter =
      opts.filter ??
      (opts.upn
        ? `userPrincipalName eq '${opts.upn}'`
        : opts["display-name"]
          ? `startswith(displayName,'${opts["display-name"]}')`
          : undefined);
    return client.list("graph", "/users", { $filter: filter });
  },
});
