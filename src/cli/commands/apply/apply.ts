import { readBoundedText, YamlInputError } from "../../../config/yaml-input.ts";
import { UsageError } from "../../cli-error.ts";
import { command } from "../../command.ts";
import { applyWorld } from "../../world/apply-world.ts";
import { parseWorld } from "../../world/world-file.ts";

export const options = {
  file: { type: "string", short: "f", required: true, help: "The world file (YAML; format in docs/seed-file.md)." },
  "dry-run": {
    type: "boolean",
    help: "Change nothing: validate the file and print the plan (create, add or unchanged per object) against the server.",
  },
} as const;

/** Reads and validates a world file, naming the file in every message. */
export function readWorld(file: string) {
  let text: string;
  try {
    text = readBoundedText(file);
  } catch (err) {
    if (err instanceof YamlInputError) throw new UsageError(`argument --file/-f: ${err.message}`);
    throw new UsageError(`argument --file/-f: cannot read '${file}' (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`);
  }
  return parseWorld(text, file);
}

export const spec = command({
  path: ["apply"],
  summary:
    "Make a declared world exist (users, groups, apps, resource groups, accounts, deployments, role assignments); idempotent; prints what changed.",
  options,
  examples: [
    { text: "Apply a world and show what changed.", command: "keyless apply -f world.yaml -o table" },
    { text: "Show what applying would change, without changing anything.", command: "keyless apply -f world.yaml --dry-run -o table" },
  ],
  async run(opts, ctx) {
    const world = readWorld(opts.file);
    const { client, subscriptionId } = await ctx.client();
    return applyWorld(client, subscriptionId, world, { dryRun: opts["dry-run"] === true });
  },
});
