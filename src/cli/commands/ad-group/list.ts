import { command } from "../../command.ts";

export const options = {
  "display-name": { type: "string", help: "Only groups whose display name starts with this." },
  filter: { type: "string", help: "An OData $filter." },
} as const;

export const spec = command({
  path: ["ad", "group", "list"],
  summary: "List groups.",
  options,
  examples: [{ text: "List groups.", command: "keyless ad group list -o table" }],
  async run(opts, ctx) {
    const { client } = await ctx.client();
    return client.list("graph", "/groups", {
      $filter: opts.filter ?? (opts["display-name"] ? `startswith(displayName,'${opts["display-name"]}')` : undefined),
    });
  },
});
