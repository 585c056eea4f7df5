import { schema } from "../../../config/schema.ts";
import { CliError, UsageError } from "../../cli-error.ts";
import { command, type OptionSpecs } from "../../command.ts";
import { seedServer } from "../../world/seed-server.ts";
import { readWorld } from "../apply/apply.ts";

/** The server's flags come from the one configuration schema; shown in `-h`, parsed by the configuration loader. */
export const options: OptionSpecs = Object.fromEntries([
  ...Object.values(schema).map(
    (s) => [s.flag.slice(2), { type: s.type === "boolean" ? "boolean" : "string", help: `${s.description} (env ${s.env})` }] as const,
  ),
  ["config", { type: "string", help: "A JSON or YAML file of settings." }],
  ["seed", { type: "string", help: "A world file (docs/seed-file.md) applied once the server is up, before the KEYLESS_READY line." }],
]);

/** Splits `--seed FILE` off the arguments the configuration loader reads. */
export function splitSeed(argv: readonly string[]): { seed: string | undefined; rest: string[] } {
  const rest: string[] = [];
  let seed: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--seed") {
      seed = argv[++i];
      if (seed === undefined) throw new UsageError("argument --seed: expected one argument, the path of a world file.");
    } else if (arg.startsWith("--seed=")) seed = arg.slice("--seed=".length);
    else rest.push(arg);
  }
  return { seed, rest };
}

export const spec = command({
  path: ["serve"],
  summary: "Start the Keyless server; prints its endpoints and a KEYLESS_READY {json} line for harnesses.",
  options,
  passThrough: true,
  examples: [
    { text: "Start on the default port with data in ./.keyless.", command: "keyless serve" },
    {
      text: "Start on a free port with a temporary data dir and a seeded world.",
      command: "keyless serve --port 0 --data-dir $(mktemp -d) --seed world.yaml",
    },
  ],
  async run(opts, ctx) {
    if (!ctx.serve)
      throw new CliError("This build of the CLI cannot start a server (no server module wired in).", { code: "ServeUnavailable" });
    const { seed, rest } = splitSeed(opts.positionals);
    const world = seed === undefined ? undefined : readWorld(seed);
    const server = await ctx.serve(rest, ctx.io.env);
    if (world) {
      try {
        await seedServer(seed!, world, server, ctx);
      } catch (err) {
        await server.close();
        throw err;
      }
    }
    ctx.io.stdout(server.report);
    await server.closed;
    return undefined;
  },
});
