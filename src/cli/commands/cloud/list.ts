import { command } from "../../command.ts";

export const options = {} as const;

export const spec = command({
  path: ["cloud", "list"],
  summary: "List registered clouds.",
  options,
  examples: [{ text: "List the clouds as a table.", command: "keyless cloud list -o table" }],
  async run(_opts, ctx) {
    const active = ctx.profile.activeCloud()?.name;
    return ctx.profile.clouds().map((c) => ({ isActive: c.name === active, name: c.name, endpoint: c.endpoint, caPath: c.caPath ?? null }));
  },
});
